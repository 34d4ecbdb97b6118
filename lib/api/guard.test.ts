import { describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import { POST as signUp } from "@/app/api/auth/sign-up/route";
import { db } from "@/lib/db";
import { BASE, call, makeTenant, request } from "@/test/support/api";

type KeyView = { id: string; name: string; prefix: string; key?: string };

describe("sign-up", () => {
  it("creates a user with their own workspace and stores only an argon2id hash", async () => {
    const res = await call<{ id: string; email: string; workspaceId: string }>(
      signUp,
      request("POST", "/api/auth/sign-up", { body: { email: "Ada@Example.com", password: "s3cret-password" } }),
    );
    expect(res.status).toBe(201);
    expect(res.body.data.email).toBe("ada@example.com");
    const user = await db.user.findUniqueOrThrow({
      where: { email: "ada@example.com" },
      include: { memberships: true },
    });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain("s3cret-password");
    expect(user.memberships).toEqual([
      expect.objectContaining({ workspaceId: res.body.data.workspaceId, role: "owner" }),
    ]);
  });

  it("refuses a taken email with 409 and bad input with 400 naming the field", async () => {
    await call(
      signUp,
      request("POST", "/api/auth/sign-up", { body: { email: "bob@example.com", password: "long-enough-1" } }),
    );
    const dup = await call(
      signUp,
      request("POST", "/api/auth/sign-up", { body: { email: "BOB@example.com", password: "long-enough-2" } }),
    );
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ success: false, error: { code: "conflict" } });
    const bad = await call(
      signUp,
      request("POST", "/api/auth/sign-up", { body: { email: "not-an-email", password: "short" } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error?.details?.map((d) => d.field).sort()).toEqual(["email", "password"]);
    const malformed = await call(
      signUp,
      request("POST", "/api/auth/sign-up", { rawBody: "{nope", headers: { "content-type": "application/json" } }),
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.error?.code).toBe("invalid_json");
  });
});

describe("auth guard on /api/v1", () => {
  it("accepts an API key and the dashboard session, each resolving its own workspace", async () => {
    const a = await makeTenant("a");
    const byKey = await call<KeyView[]>(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { key: a.key } }));
    expect(byKey.status).toBe(200);
    expect(byKey.body.success).toBe(true);
    expect(byKey.body.data.map((k) => k.id)).toEqual([a.keyId]);
    const bySession = await call<KeyView[]>(
      keysRoute.GET,
      request("GET", "/api/v1/api-keys", { auth: { cookie: a.cookie } }),
    );
    expect(bySession.status).toBe(200);
    expect(bySession.body.data.map((k) => k.id)).toEqual([a.keyId]);
    // the plaintext key is never listed
    expect(JSON.stringify(bySession.body)).not.toContain(a.key);
  });

  it("answers 401 in the error envelope without credentials, with a malformed or unknown key, or a forged session", async () => {
    const cases: { headers?: Record<string, string> }[] = [
      {},
      { headers: { authorization: "Bearer nope" } },
      { headers: { authorization: "Basic dXNlcjpwYXNz" } },
      { headers: { authorization: `Bearer akol_sk_${"x".repeat(32)}` } },
      { headers: { cookie: "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..forged" } },
    ];
    for (const c of cases) {
      const res = await call(keysRoute.GET, request("GET", "/api/v1/api-keys", c));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ success: false, error: { code: "unauthorized" } });
      expect(typeof res.body.error?.message).toBe("string");
    }
  });

  it("refuses a revoked key at once", async () => {
    const a = await makeTenant("rev");
    const created = await call<KeyView>(
      keysRoute.POST,
      request("POST", "/api/v1/api-keys", { auth: { key: a.key }, body: { name: "second" } }),
    );
    expect(created.status).toBe(201);
    const second = created.body.data.key!;
    expect(second).toMatch(/^akol_sk_[A-Za-z0-9]{32}$/);
    const revoked = await call(
      keyRoute.DELETE,
      request("DELETE", `/api/v1/api-keys/${created.body.data.id}`, { auth: { key: a.key } }),
      { id: created.body.data.id },
    );
    expect(revoked.status).toBe(200);
    const res = await call(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { key: second } }));
    expect(res.status).toBe(401);
    const stored = await db.apiKey.findUniqueOrThrow({ where: { id: created.body.data.id } });
    expect(stored.hash).not.toContain(second);
    expect(stored.revokedAt).not.toBeNull();
  });

  it("answers 404, not 403, for another workspace's resource, by key and by session", async () => {
    const a = await makeTenant("a");
    const b = await makeTenant("b");
    for (const auth of [{ key: b.key }, { cookie: b.cookie, origin: BASE }]) {
      const res = await call(keyRoute.DELETE, request("DELETE", `/api/v1/api-keys/${a.keyId}`, { auth }), {
        id: a.keyId,
      });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ success: false, error: { code: "not_found" } });
    }
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: a.keyId } })).revokedAt).toBeNull();
  });

  it("refuses session-authenticated changes from another origin (CSRF) but not API-key calls", async () => {
    const a = await makeTenant("csrf");
    const evil = await call(
      keysRoute.POST,
      request("POST", "/api/v1/api-keys", {
        auth: { cookie: a.cookie, origin: "https://evil.example" },
        body: { name: "x" },
      }),
    );
    expect(evil.status).toBe(403);
    expect(evil.body.error?.code).toBe("forbidden");
    const same = await call(
      keysRoute.POST,
      request("POST", "/api/v1/api-keys", { auth: { cookie: a.cookie, origin: BASE }, body: { name: "x" } }),
    );
    expect(same.status).toBe(201);
    const withKey = await call(
      keysRoute.POST,
      request("POST", "/api/v1/api-keys", {
        auth: { key: a.key, origin: "https://elsewhere.example" },
        body: { name: "y" },
      }),
    );
    expect(withKey.status).toBe(201);
    expect(await db.apiKey.count({ where: { workspaceId: a.workspaceId } })).toBe(3);
  });

  it("a session whose user lost the workspace is refused", async () => {
    const a = await makeTenant("gone");
    await db.membership.deleteMany({ where: { userId: a.userId } });
    const res = await call(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { cookie: a.cookie } }));
    expect(res.status).toBe(401);
  });
});
