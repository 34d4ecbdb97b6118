import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import * as eventTypesRoute from "@/app/api/v1/event-types/route";
import * as listRoute from "@/app/api/v1/webhooks/route";
import * as itemRoute from "@/app/api/v1/webhooks/[id]/route";
import * as rotateRoute from "@/app/api/v1/webhooks/[id]/rotate-secret/route";
import { db } from "@/lib/db";
import { EVENT_TYPES } from "@/lib/events/catalog";
import { call, dumpDatabaseText, makeTenant, request, type Tenant } from "@/test/support/api";
import { verifySigned } from "@/test/support/deliveries";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";
import { MASKED_SECRET } from "@/lib/webhooks/secret";
import type { WebhookView } from "@/lib/webhooks/schemas";

let receiver: Receiver;
let restoreEnv: () => void;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  receiver = await startReceiver();
  restoreEnv = useTestTargets("127.0.0.1");
  a = await makeTenant("a");
  b = await makeTenant("b");
});
afterAll(async () => {
  restoreEnv();
  await receiver.close();
});
beforeEach(() => receiver.setHandler());

const create = (t: Tenant, body: unknown) =>
  call<WebhookView>(listRoute.POST, request("POST", "/api/v1/webhooks", { auth: { key: t.key }, body }));
const get = (t: Tenant, id: string) =>
  call<WebhookView>(itemRoute.GET, request("GET", `/api/v1/webhooks/${id}`, { auth: { key: t.key } }), { id });
const patch = (t: Tenant, id: string, body: unknown) =>
  call<WebhookView>(itemRoute.PATCH, request("PATCH", `/api/v1/webhooks/${id}`, { auth: { key: t.key }, body }), {
    id,
  });
const rotate = (t: Tenant, id: string) =>
  call<WebhookView>(
    rotateRoute.POST,
    request("POST", `/api/v1/webhooks/${id}/rotate-secret`, { auth: { key: t.key } }),
    { id },
  );
const remove = (t: Tenant, id: string) =>
  call(itemRoute.DELETE, request("DELETE", `/api/v1/webhooks/${id}`, { auth: { key: t.key } }), { id });

describe("create", () => {
  it("probes with a signed webhook.probe, stores the subscription and returns the secret once", async () => {
    const before = receiver.requests.length;
    const res = await create(a, { url: receiver.url, events: ["call.ended", "call.transferred"] });
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    const w = res.body.data;
    expect(w).toMatchObject({
      url: receiver.url,
      events: ["call.ended", "call.transferred"],
      isActive: true,
      failureCount: 0,
      lastTriggeredAt: null,
    });
    expect(w.id).toMatch(/^whk_/);
    expect(w.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(w.secret.slice(6), "base64")).toHaveLength(32);

    // the probe reached the receiver, signed with the new secret (verified by the official library)
    const probe = receiver.requests[before];
    expect(probe).toBeDefined();
    const verified = verifySigned(w.secret, probe!);
    expect(verified).toMatchObject({ type: "webhook.probe", data: { webhookId: w.id } });
    expect(probe!.headers["user-agent"]).toMatch(/Akol/);

    // masked everywhere afterwards
    const one = await get(a, w.id);
    expect(one.body.data.secret).toBe(MASKED_SECRET);
    const list = await call<WebhookView[]>(listRoute.GET, request("GET", "/api/v1/webhooks", { auth: { key: a.key } }));
    expect(list.body.data.find((x) => x.id === w.id)?.secret).toBe(MASKED_SECRET);
    expect(JSON.stringify(list.body)).not.toContain(w.secret);

    // never stored in plaintext
    const row = await db.webhook.findUniqueOrThrow({ where: { id: w.id } });
    expect(row.secretEncrypted).not.toContain(w.secret.slice(6));
    expect(row.secretEncrypted).not.toContain(w.secret);
  });

  it("rejects with 400 naming the reason when the probe fails: status, timeout, refused", async () => {
    receiver.setHandler((_r, res) => {
      res.writeHead(500);
      res.end("boom");
    });
    const s500 = await create(a, { url: receiver.url, events: ["call.ended"] });
    expect(s500.status).toBe(400);
    expect(s500.body.error).toMatchObject({ code: "probe_failed" });
    expect(s500.body.error?.message).toContain("your endpoint answered 500");
    expect(s500.body.error?.details).toEqual([{ field: "url", message: expect.stringContaining("500") }]);

    const restore = setTestEnv({ WEBHOOK_PROBE_TIMEOUT_MS: "300" });
    receiver.setHandler(() => undefined); // never answers
    const slow = await create(a, { url: receiver.url, events: ["call.ended"] });
    restore();
    expect(slow.status).toBe(400);
    expect(slow.body.error?.message).toMatch(/did not answer within/);

    const refused = await create(a, { url: "https://127.0.0.1:1/hook", events: ["call.ended"] });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toMatch(/connection refused/);

    expect(await db.webhook.count({ where: { workspaceId: a.workspaceId, url: { not: receiver.url } } })).toBe(0);
  });

  it("validates every field with a 400 that names it", async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ url: "http://example.com/h", events: ["call.ended"] }, "url", /https/],
      [{ url: "https://user:pw@example.com/h", events: ["call.ended"] }, "url", /credentials/],
      [{ url: `https://example.com/${"a".repeat(2050)}`, events: ["call.ended"] }, "url", /2048/],
      [{ url: "/relative", events: ["call.ended"] }, "url", /absolute/],
      [{ url: "https://10.0.0.1/h", events: ["call.ended"] }, "url", /public/],
      [{ url: 42, events: ["call.ended"] }, "url", /string/],
      [{ url: "https://example.com/h", events: [] }, "events", /at least one/],
      [{ url: "https://example.com/h", events: ["call.ended", "call.ended"] }, "events.1", /duplicate/],
      [{ url: "https://example.com/h", events: ["call.exploded"] }, "events.0", /valid types: call\.started/],
      [{ url: "https://example.com/h", events: "call.ended" }, "events", /array/],
      [{ url: "https://example.com/h" }, "events", /./],
      [{ url: "https://example.com/h", events: ["call.ended"], secret: "mine" }, "secret", /unrecognized/i],
      [[], "(body)", /object/],
    ];
    for (const [body, field, message] of cases) {
      const res = await create(a, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.error?.code).toBe("validation_error");
      const detail = res.body.error?.details?.find((d) => d.field === field);
      expect(detail, `${field} in ${JSON.stringify(res.body.error?.details)}`).toBeDefined();
      expect(detail!.message).toMatch(message);
    }
    const listed = await create(a, { url: "https://example.com/h", events: ["nope"] });
    for (const t of EVENT_TYPES) expect(listed.body.error?.message).toContain(t);
  });

  it("answers malformed JSON with 400, a wrong content type with 415 and an oversized body with 413", async () => {
    const bad = await call(
      listRoute.POST,
      request("POST", "/api/v1/webhooks", {
        auth: { key: a.key },
        rawBody: '{"url":',
        headers: { "content-type": "application/json" },
      }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe("invalid_json");
    const text = await call(
      listRoute.POST,
      request("POST", "/api/v1/webhooks", {
        auth: { key: a.key },
        rawBody: "url=x",
        headers: { "content-type": "text/plain" },
      }),
    );
    expect(text.status).toBe(415);
    const huge = await call(
      listRoute.POST,
      request("POST", "/api/v1/webhooks", {
        auth: { key: a.key },
        rawBody: JSON.stringify({ url: "x".repeat(300_000) }),
        headers: { "content-type": "application/json" },
      }),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.error?.code).toBe("payload_too_large");
  });
});

describe("read, update, rotate, delete", () => {
  it("patches any subset; a URL change re-probes and a failing probe leaves the webhook untouched", async () => {
    const w = (await create(a, { url: receiver.url, events: ["call.ended"] })).body.data;
    const events = await patch(a, w.id, { events: ["call.ended", "appointment.scheduled"] });
    expect(events.status).toBe(200);
    expect(events.body.data.events).toEqual(["call.ended", "appointment.scheduled"]);
    expect(events.body.data.secret).toBe(MASKED_SECRET);

    const other = await startReceiver((_r, res) => {
      res.writeHead(503);
      res.end();
    });
    const probesBefore = other.requests.length;
    const failing = await patch(a, w.id, { url: other.url });
    expect(other.requests.length).toBe(probesBefore + 1);
    expect(failing.status).toBe(400);
    expect(failing.body.error?.message).toContain("answered 503");
    expect((await get(a, w.id)).body.data.url).toBe(receiver.url);

    other.setHandler();
    const moved = await patch(a, w.id, { url: other.url });
    expect(moved.status).toBe(200);
    expect(moved.body.data.url).toBe(other.url);
    await other.close();

    for (const [body, status] of [
      [{}, 400],
      [{ isActive: "yes" }, 400],
      [{ events: [] }, 400],
      [{ foo: 1 }, 400],
    ] as const) {
      const res = await patch(a, w.id, body);
      expect(res.status).toBe(status);
      expect(res.body.error?.code).toBe("validation_error");
    }
  });

  it("disabling needs no probe; re-enabling probes first and resets the failure streak", async () => {
    const w = (await create(a, { url: receiver.url, events: ["call.ended"] })).body.data;
    const off = await patch(a, w.id, { isActive: false });
    expect(off.body.data).toMatchObject({ isActive: false, disabledReason: "Disabled by a user" });
    await db.webhook.update({ where: { id: w.id }, data: { failureCount: 7, disabledReason: "Too many failures" } });

    receiver.setHandler((_r, res) => {
      res.writeHead(500);
      res.end();
    });
    const refused = await patch(a, w.id, { isActive: true });
    expect(refused.status).toBe(400);
    expect((await get(a, w.id)).body.data.isActive).toBe(false);

    receiver.setHandler();
    const before = receiver.requests.length;
    const on = await patch(a, w.id, { isActive: true });
    expect(on.status).toBe(200);
    expect(receiver.requests.length).toBe(before + 1);
    expect(on.body.data).toMatchObject({ isActive: true, failureCount: 0, disabledReason: null });
  });

  it("rotation returns a new secret once and the old one is dead at once", async () => {
    const w = (await create(a, { url: receiver.url, events: ["call.ended"] })).body.data;
    const r = await rotate(a, w.id);
    expect(r.status).toBe(200);
    expect(r.body.data.secret).toMatch(/^whsec_/);
    expect(r.body.data.secret).not.toBe(w.secret);
    expect((await get(a, w.id)).body.data.secret).toBe(MASKED_SECRET);

    // the next signed request (a re-enable probe) verifies only with the new secret
    await patch(a, w.id, { isActive: false });
    await patch(a, w.id, { isActive: true });
    const probe = receiver.requests.at(-1)!;
    expect(() => verifySigned(r.body.data.secret, probe)).not.toThrow();
    expect(() => verifySigned(w.secret, probe)).toThrow();
  });

  it("deletes hard and keeps delivery history", async () => {
    const w = (await create(a, { url: receiver.url, events: ["call.ended"] })).body.data;
    await db.delivery.create({
      data: {
        id: "dlv_keep",
        workspaceId: a.workspaceId,
        webhookId: w.id,
        messageId: "msg_keep",
        eventType: "call.ended",
        kind: "event",
        payload: "{}",
        url: w.url,
      },
    });
    const del = await remove(a, w.id);
    expect(del.status).toBe(200);
    expect(del.body.data).toEqual({ id: w.id, deleted: true });
    expect(await db.webhook.findUnique({ where: { id: w.id } })).toBeNull();
    expect(await db.delivery.findUnique({ where: { id: "dlv_keep" } })).not.toBeNull();
    expect((await get(a, w.id)).status).toBe(404);
    expect((await remove(a, w.id)).status).toBe(404);
  });

  it("answers 404 for another workspace's webhook on every route, and changes nothing", async () => {
    const w = (await create(a, { url: receiver.url, events: ["call.ended"] })).body.data;
    for (const res of [
      await get(b, w.id),
      await patch(b, w.id, { events: ["call.missed"] }),
      await patch(b, w.id, { nonsense: true }),
      await rotate(b, w.id),
      await remove(b, w.id),
      await get(a, "whk_doesnotexist0000"),
      await get(a, "../../etc"),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ success: false, error: { code: "not_found" } });
    }
    const list = await call<WebhookView[]>(listRoute.GET, request("GET", "/api/v1/webhooks", { auth: { key: b.key } }));
    expect(list.body.data).toEqual([]);
    const row = await db.webhook.findUniqueOrThrow({ where: { id: w.id } });
    expect(row.events).toEqual(["call.ended"]);
  });
});

describe("event types", () => {
  it("lists the catalog with descriptions, JSON schemas and example payloads", async () => {
    const res = await call<
      {
        type: string;
        description: string;
        schema: { type: string; properties: Record<string, unknown> };
        example: unknown;
      }[]
    >(eventTypesRoute.GET, request("GET", "/api/v1/event-types", { auth: { key: a.key } }));
    expect(res.status).toBe(200);
    expect(res.body.data.map((e) => e.type)).toEqual([...EVENT_TYPES]);
    for (const e of res.body.data) {
      expect(e.description.length).toBeGreaterThan(10);
      expect(e.schema.type).toBe("object");
      expect(Object.keys(e.schema.properties).length).toBeGreaterThan(2);
      expect(e.example).toBeTypeOf("object");
    }
  });
});

describe("rate limit", () => {
  it("counts per workspace in PostgreSQL, sends RateLimit headers and answers 429 with Retry-After", async () => {
    const restore = setTestEnv({ API_RATE_LIMIT_PER_MINUTE: "5" });
    try {
      const t = await makeTenant("rl");
      const other = await makeTenant("rl2");
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 6; i++) {
        last = await call(listRoute.GET, request("GET", "/api/v1/webhooks", { auth: { key: t.key } }));
        statuses.push(last.status);
        if (i === 0) {
          expect(last.headers.get("RateLimit-Limit")).toBe("5");
          expect(last.headers.get("RateLimit-Remaining")).toBe("4");
          expect(Number(last.headers.get("RateLimit-Reset"))).toBeGreaterThan(0);
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect(last!.body.error?.code).toBe("rate_limited");
      expect(Number(last!.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(last!.headers.get("RateLimit-Remaining")).toBe("0");
      // another workspace has its own budget
      expect((await call(listRoute.GET, request("GET", "/api/v1/webhooks", { auth: { key: other.key } }))).status).toBe(
        200,
      );
      // the count lives in the database (shared by every app instance)
      const rows = await db.rateLimit.findMany({ where: { key: { contains: t.workspaceId } } });
      expect(rows[0]?.points).toBeGreaterThanOrEqual(6);
    } finally {
      restore();
    }
  });
});

describe("secret hygiene", () => {
  it("no plaintext secret in the database dump", async () => {
    const w = (await create(a, { url: receiver.url, events: ["call.missed"] })).body.data;
    const rotated = (await rotate(a, w.id)).body.data.secret;
    const dump = await dumpDatabaseText();
    expect(dump).toContain(w.id);
    for (const s of [w.secret, rotated]) {
      expect(dump).not.toContain(s);
      expect(dump).not.toContain(s.slice(6));
    }
    expect(dump).not.toContain(a.key);
  });
});
