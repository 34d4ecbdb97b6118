import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import * as nextAuthRoute from "@/app/api/auth/[...nextauth]/route";
import { POST as signUp } from "@/app/api/auth/sign-up/route";
import * as inngestRoute from "@/app/api/inngest/route";
import * as unknownRoute from "@/app/api/v1/[...path]/route";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import { embeddedSigningKey, signRequest } from "@/inngest/embedded/signing";
import { inProcessInngestHandler } from "@/inngest/serve";
import { isFallbackHandler } from "@/lib/api/methods";
import { authOptions } from "@/lib/auth/options";
import { safeRedirect } from "@/lib/auth/redirect";
import { endAllSessions } from "@/lib/auth/sessions";
import { beginSignIn, resetAuthThrottleForTests, signInSucceeded } from "@/lib/auth/throttle";
import { db } from "@/lib/db";
import { CLIENT_ADDRESS_HEADER, clientIp } from "@/lib/http/client-ip";
import { installClientAddressStamp } from "@/lib/http/stamp-client-address";
import { API_SECURITY_HEADERS } from "@/lib/security/api-headers.mjs";
import { securityHeaders } from "@/lib/security/headers";
import { createWebhookSchema } from "@/lib/webhooks/schemas";
import nextConfig from "@/next.config";
import { config as proxyConfig, proxy } from "@/proxy";
import { BASE, call, makeTenant, request, sessionCookie, type RouteHandler, type Tenant } from "@/test/support/api";
import { firstCallBody } from "@/test/support/executor";
import { setTestEnv } from "@/test/support/https-receiver";
import { routeFiles } from "@/test/support/routes";

/**
 * Issue 10: the account and API surface. Each block pins one finding of the
 * hostile review: open redirects, throttling, body and password caps,
 * revocable sessions, headers, envelopes, origin checks, URL normalisation,
 * the webhook quota. Browser-level checks (the sign-in form, cookies replayed
 * after sign-out, headers on real pages) are in e2e/account-security.spec.ts.
 */

let restore: (() => void)[] = [];
afterEach(() => {
  for (const r of restore.reverse()) r();
  restore = [];
  resetAuthThrottleForTests();
});
function env(vars: Record<string, string | undefined>): void {
  restore.push(setTestEnv(vars));
  resetAuthThrottleForTests();
}

const from = (ip: string) => ({ [CLIENT_ADDRESS_HEADER]: ip });
const nextAuth = nextAuthRoute.POST as unknown as RouteHandler;
const credentials = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  request("POST", "/api/auth/callback/credentials", {
    rawBody: new URLSearchParams({ csrfToken: "x", json: "true", ...fields }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
const callbackParams = { nextauth: ["callback", "credentials"] };

describe("open redirect: only the app's own origin", () => {
  const origin = "http://localhost:3000";
  it.each([
    ["/\\127.0.0.2:8443/x"],
    ["/\t/evil.example/"],
    ["//evil.example/x"],
    ["/\\/evil.example"],
    ["\\\\evil.example"],
    ["https:evil.example"],
    ["https://evil.example/webhooks"],
    ["http://localhost:3001/webhooks"],
    ["https://localhost:3000/webhooks"],
    ["javascript:alert(1)"],
    ["data:text/html,<script>alert(1)</script>"],
    [" //evil.example"],
    ["/\n/evil.example"],
  ])("%j goes to the dashboard instead", (target) => {
    expect(safeRedirect(target, origin)).toBe("/webhooks");
  });

  it.each([
    ["/api-keys", "/api-keys"],
    ["/webhooks/whk_1?tab=log#x", "/webhooks/whk_1?tab=log#x"],
    ["http://localhost:3000/docs", "/docs"],
    ["/.//evil.example", "/evil.example"],
  ])("%j stays on the app as %j", (target, expected) => {
    expect(safeRedirect(target, origin)).toBe(expected);
  });

  it("next-auth's redirect callback applies the same rule against APP_URL", async () => {
    env({ APP_URL: "https://hooks.example.com" });
    const redirect = authOptions().callbacks!.redirect!;
    const baseUrl = "https://hooks.example.com";
    expect(await redirect({ url: "/\\evil.example/x", baseUrl })).toBe("https://hooks.example.com/webhooks");
    expect(await redirect({ url: "https://evil.example", baseUrl })).toBe("https://hooks.example.com/webhooks");
    expect(await redirect({ url: "/sign-in", baseUrl })).toBe("https://hooks.example.com/sign-in");
  });
});

describe("sign-in throttling (per account and per IP)", () => {
  it("refuses with 429 + Retry-After once an account's failures are spent, before checking any password", async () => {
    env({ AUTH_SIGN_IN_MAX_FAILURES: "3", AUTH_THROTTLE_WINDOW_SECONDS: "60" });
    for (let i = 0; i < 3; i++) await beginSignIn("victim@example.com", `10.0.0.${i}`);
    const res = await call(nextAuth, credentials({ email: "Victim@Example.com", password: "guess" }), callbackParams);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body).toMatchObject({
      success: false,
      error: { code: "rate_limited", details: { retryAfter } },
      // next-auth's client reads `url`: the form shows when to try again
      url: expect.stringContaining(`error=rate_limited%3A${retryAfter}`),
    });
    // other accounts are untouched
    await expect(beginSignIn("someone-else@example.com", "10.0.0.9")).resolves.toBeUndefined();
  });

  it("a successful sign-in resets the account's count; the window ends the lock-out", async () => {
    env({ AUTH_SIGN_IN_MAX_FAILURES: "2", AUTH_THROTTLE_WINDOW_SECONDS: "1" });
    await beginSignIn("ada@example.com", "10.1.0.1");
    await signInSucceeded("ada@example.com", "10.1.0.1");
    await beginSignIn("ada@example.com", "10.1.0.1");
    await beginSignIn("ada@example.com", "10.1.0.1");
    await expect(beginSignIn("ada@example.com", "10.1.0.1")).rejects.toMatchObject({ status: 429 });
    await new Promise((r) => setTimeout(r, 1100));
    await expect(beginSignIn("ada@example.com", "10.1.0.1")).resolves.toBeUndefined();
  });

  it("per IP: many accounts from one address are refused, other addresses are not", async () => {
    env({ AUTH_SIGN_IN_MAX_FAILURES_PER_IP: "3", AUTH_THROTTLE_WINDOW_SECONDS: "60" });
    for (let i = 0; i < 3; i++) await beginSignIn(`spray-${i}@example.com`, "203.0.113.7");
    await expect(beginSignIn("spray-9@example.com", "203.0.113.7")).rejects.toMatchObject({ status: 429 });
    await expect(beginSignIn("spray-9@example.com", "203.0.113.8")).resolves.toBeUndefined();
  });
});

describe("sign-up throttling (per IP)", () => {
  it("429 + Retry-After after AUTH_SIGN_UP_PER_IP sign-ups from one address; another address still works", async () => {
    env({ AUTH_SIGN_UP_PER_IP: "2", AUTH_THROTTLE_WINDOW_SECONDS: "60" });
    const body = (n: string) => ({ email: `burst-${n}@example.com`, password: "long-enough-pw" });
    for (const n of ["1", "2"])
      expect(
        (await call(signUp, request("POST", "/api/auth/sign-up", { body: body(n), headers: from("198.51.100.1") })))
          .status,
      ).toBe(201);
    const third = await call(
      signUp,
      request("POST", "/api/auth/sign-up", { body: body("3"), headers: from("198.51.100.1") }),
    );
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(third.body.error?.code).toBe("rate_limited");
    expect(await db.user.count({ where: { email: "burst-3@example.com" } })).toBe(0);
    const elsewhere = await call(
      signUp,
      request("POST", "/api/auth/sign-up", { body: body("4"), headers: from("198.51.100.2") }),
    );
    expect(elsewhere.status).toBe(201);
  });

  it("the server stamps each request with its TCP peer, overwriting what a client claims", async () => {
    env({ TRUST_PROXY: undefined });
    installClientAddressStamp();
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/`, {
      headers: { [CLIENT_ADDRESS_HEADER]: "6.6.6.6", "x-forwarded-for": "7.7.7.7", "x-forwarded-host": "evil.example" },
    });
    await new Promise<void>((r) => server.close(() => r()));
    expect(seen[0]?.[CLIENT_ADDRESS_HEADER]).toBe("127.0.0.1");
    expect(seen[0]?.["x-forwarded-for"]).toBeUndefined();
    expect(seen[0]?.["x-forwarded-host"]).toBeUndefined();
  });

  it("X-Forwarded-For is ignored without TRUST_PROXY, and its last hop is the client with it", () => {
    env({ TRUST_PROXY: undefined });
    const req = request("GET", "/", { headers: { "x-forwarded-for": "1.2.3.4", ...from("127.0.0.1") } });
    expect(clientIp(req)).toBe("127.0.0.1");
    env({ TRUST_PROXY: "1" });
    const proxied = request("GET", "/", {
      headers: { "x-forwarded-for": "6.6.6.6, 203.0.113.5", ...from("10.0.0.2") },
    });
    expect(clientIp(proxied)).toBe("203.0.113.5");
  });
});

describe("auth request bodies and passwords are capped before any hashing", () => {
  it("a password over 200 characters: sign-up 400, sign-in 400, and neither hashes it", async () => {
    const long = "p".repeat(201);
    const up = await call(
      signUp,
      request("POST", "/api/auth/sign-up", { body: { email: "long@example.com", password: long } }),
    );
    expect(up.status).toBe(400);
    expect(up.body.error?.details).toEqual([{ field: "password", message: "must be at most 200 characters" }]);
    const started = performance.now();
    const inn = await call(
      nextAuth,
      credentials({ email: "long@example.com", password: "p".repeat(10_000) }),
      callbackParams,
    );
    expect(inn.status).toBe(400);
    expect(inn.body).toMatchObject({
      error: { code: "validation_error" },
      url: expect.stringContaining("password_too_long"),
    });
    expect(performance.now() - started).toBeLessThan(500); // argon2 of 10 000 characters is never started
  });

  it("bodies over 16 KB: 413 with the envelope, on sign-up and on every next-auth POST", async () => {
    const big = "x".repeat(17 * 1024);
    const up = await call(
      signUp,
      request("POST", "/api/auth/sign-up", { body: { email: "big@example.com", password: big } }),
    );
    expect(up.status).toBe(413);
    expect(up.body.error?.code).toBe("payload_too_large");
    const inn = await call(nextAuth, credentials({ email: "big@example.com", password: big }), callbackParams);
    expect(inn.status).toBe(413);
    // declared length alone is enough to refuse, before reading
    const declared = await call(
      nextAuth,
      request("POST", "/api/auth/signout", {
        rawBody: "a=1",
        headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(100 * 1024 * 1024) },
      }),
      { nextauth: ["signout"] },
    );
    expect(declared.status).toBe(413);
  });
});

describe("revocable sessions", () => {
  let t: Tenant;
  beforeAll(async () => {
    t = await makeTenant("sess");
  });

  it("sign-out ends every token issued before it, in the API guard and in next-auth's jwt callback", async () => {
    const user = await db.user.findUniqueOrThrow({ where: { id: t.userId } });
    const cookie = await sessionCookie({ id: t.userId, email: t.email, workspaceId: t.workspaceId });
    const list = () => call(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { cookie } }));
    expect((await list()).status).toBe(200);
    const jwt = authOptions().callbacks!.jwt!;
    const token = { sub: t.userId, email: t.email, workspaceId: t.workspaceId, sv: user.sessionVersion };
    await expect(jwt({ token } as Parameters<typeof jwt>[0])).resolves.toMatchObject({ sub: t.userId });

    // next-auth's signOut event (POST /api/auth/signout) bumps the version
    await authOptions().events!.signOut!({ token } as never);
    const after = await list();
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ success: false, error: { code: "unauthorized" } });
    await expect(jwt({ token } as Parameters<typeof jwt>[0])).rejects.toThrow(/session ended/);

    // a token issued after sign-out works again
    const fresh = await sessionCookie(
      { id: t.userId, email: t.email, workspaceId: t.workspaceId },
      user.sessionVersion + 1,
    );
    expect((await call(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { cookie: fresh } }))).status).toBe(
      200,
    );
    await endAllSessions(t.userId);
    expect((await call(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { cookie: fresh } }))).status).toBe(
      401,
    );
  });
});

describe("security headers (proxy.ts)", () => {
  it("a nonce CSP without unsafe-eval in production, frame-ancestors 'none', nosniff, referrer policy", () => {
    const res = proxy(new NextRequest(`${BASE}/sign-in`));
    const csp = res.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("strict-transport-security")).toBeNull(); // APP_URL is not https here
    // the nonce reaches rendering on the request (Next.js reads it from the CSP header)
    expect(res.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    const second = proxy(new NextRequest(`${BASE}/sign-in`)).headers.get("content-security-policy");
    expect(second).not.toBe(csp);
  });

  it("the machine-facing API: fixed headers from next.config.mjs, no proxy run; everything else through the proxy", async () => {
    // proxy.ts's matcher (a path regexp, as Next.js applies it) leaves out exactly /api/v1… and /api/health…
    const matcher = new RegExp(`^${proxyConfig.matcher[0]}$`);
    const machine = ["/api/v1", "/api/v1/", "/api/v1/events", "/api/v1/unknown/x", "/api/health", "/api/health/live"];
    const pages = [
      "/",
      "/sign-in",
      "/webhooks",
      "/api/auth/signin",
      "/api/inngest",
      "/api/v1x",
      "/api/healthz",
      "/docs/api/v1",
    ];
    for (const p of machine) expect(matcher.test(p), p).toBe(false);
    for (const p of pages) {
      expect(matcher.test(p), p).toBe(true);
      expect(proxy(new NextRequest(`${BASE}${p}`)).headers.get("content-security-policy"), p).toMatch(/'nonce-/);
    }
    // next.config.mjs gives those paths the API headers: every page header, a no-content policy, HSTS
    const rules = await nextConfig.headers!();
    const api: Record<string, string> = API_SECURITY_HEADERS;
    for (const p of machine) {
      const rule = rules.find((r) => new RegExp(`^${r.source.replace("/:path*", "(?:/.*)?")}$`).test(p));
      expect(rule, p).toBeDefined();
      expect(Object.fromEntries(rule!.headers.map((h) => [h.key, h.value])), p).toEqual(api);
    }
    const page = securityHeaders({ nonce: "n", https: true, development: false });
    for (const [name, value] of Object.entries(page))
      if (name !== "Content-Security-Policy") expect(api[name], name).toBe(value);
    expect(api["Content-Security-Policy"]).toContain("default-src 'none'");
    expect(api["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    expect(api["Content-Security-Policy"]).not.toContain("nonce-");
  });

  it("HSTS when APP_URL is https; unsafe-eval only in development", () => {
    const https = securityHeaders({ nonce: "n", https: true, development: false });
    expect(https["Strict-Transport-Security"]).toMatch(/^max-age=\d{8}; includeSubDomains$/);
    const dev = securityHeaders({ nonce: "n", https: false, development: true })["Content-Security-Policy"];
    expect(dev).toContain("'unsafe-eval'");
    expect(dev).toContain("style-src 'self' 'unsafe-inline'");
    const prod = securityHeaders({ nonce: "n", https: false, development: false })["Content-Security-Policy"];
    expect(prod).toContain("style-src 'self' 'nonce-n'");
    expect(prod).not.toMatch(/unsafe-eval|style-src [^;]*unsafe-inline|script-src [^;]*unsafe-inline/);
  });
});

describe("the error envelope on every /api/v1 answer", () => {
  const t = () => makeTenant("env");

  it("an unknown route is a 404 envelope for every method", async () => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const) {
      const handler = unknownRoute[method] as RouteHandler;
      const res = await handler(request(method, "/api/v1/unknown"), { params: Promise.resolve({}) as Promise<never> });
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ success: false, error: { code: "not_found" } });
    }
  });

  it("every route answers a method it lacks with 405, Allow and the envelope", async () => {
    const root = path.resolve("app/api/v1");
    let checked = 0;
    const covered = new Set<string>();
    for (const file of routeFiles(root)) {
      if (file.includes("[...path]")) continue;
      const mod = (await import(file)) as Record<string, unknown>;
      const real = ["GET", "POST", "PUT", "PATCH", "DELETE"].filter(
        (m) => typeof mod[m] === "function" && !isFallbackHandler(mod[m]),
      );
      for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (real.includes(m)) continue;
        const handler = mod[m];
        expect(isFallbackHandler(handler), `${m} ${path.relative(root, file)} has no 405 envelope`).toBe(true);
        const res = await (handler as RouteHandler)(request(m, "/api/v1/x"), {
          params: Promise.resolve({}) as Promise<never>,
        });
        expect(res.status).toBe(405);
        const allow = (res.headers.get("allow") ?? "").split(", ");
        for (const r of real) expect(allow).toContain(r);
        expect(allow).not.toContain(m);
        expect(await res.json()).toMatchObject({ success: false, error: { code: "method_not_allowed" } });
        checked++;
        covered.add(`${m} ${path.relative(root, path.dirname(file))}`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect([...covered]).toEqual(
      expect.arrayContaining([
        "DELETE webhooks/[id]/recover",
        "PUT webhooks/[id]/recover",
        "POST webhooks/[id]/recoveries/[recoveryId]",
        "DELETE webhooks/[id]/recoveries/[recoveryId]",
      ]),
    );
    expect(readFileSync(path.join(root, "webhooks/route.ts"), "utf8")).toContain("methodNotAllowed");
  });

  it("401s carry RateLimit-* headers and count against a per-IP budget (then 429)", async () => {
    env({ API_RATE_LIMIT_PER_MINUTE: "3" });
    const bad = () =>
      call(
        keysRoute.GET,
        request("GET", "/api/v1/api-keys", { auth: { key: "akol_sk_nope" }, headers: from("192.0.2.44") }),
      );
    const first = await bad();
    expect(first.status).toBe(401);
    expect(first.headers.get("ratelimit-limit")).toBe("3");
    expect(first.headers.get("ratelimit-remaining")).toBe("2");
    expect(Number(first.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    await bad();
    await bad();
    const limited = await bad();
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBeTruthy();
    expect(limited.body.error?.code).toBe("rate_limited");
    // a valid caller from elsewhere is not affected
    const ok = await t();
    expect((await call(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { key: ok.key } }))).status).toBe(200);
  });

  it("unsigned calls to /api/inngest are 401 envelopes, whatever the method", async () => {
    for (const method of ["GET", "POST", "PUT"] as const) {
      const res = await (inngestRoute[method] as unknown as RouteHandler)(
        new NextRequest(`${BASE}/api/inngest`, { method, body: method === "GET" ? undefined : "{}" }) as never,
        { params: Promise.resolve({}) as Promise<never> },
      );
      expect(res.status, method).toBe(401);
      const body = (await res.json()) as { error: { message: string } };
      expect(body).toMatchObject({ success: false, error: { code: "unauthorized" } });
      expect(body.error.message).not.toMatch(/embedded|executor|cloud|dev/i);
    }
  });

  it("a call to /api/inngest signed with another key is refused by the SDK (the in-process handler, which skips the check, is never routed)", async () => {
    const body = firstCallBody({
      name: "webhook/delivery.requested",
      data: { deliveryId: "dlv_x", webhookId: "wh_x" },
      id: "x",
      ts: 1,
    });
    for (const key of ["signkey-prod-00ff", `${embeddedSigningKey().slice(0, -2)}00`]) {
      const res = await (inngestRoute.POST as unknown as RouteHandler)(
        new NextRequest(`${BASE}/api/inngest?fnId=akol-webhooks-deliver&stepId=step`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-inngest-signature": signRequest(body, key) },
          body,
        }) as never,
        { params: Promise.resolve({}) as Promise<never> },
      );
      expect(res.status, key).toBe(401);
    }
    // The in-process handler (embedded executor only, never routed) skips the check: an unsigned call gets
    // past it to the function lookup (canary: if the SDK stops passing the option, this saving is gone).
    const unsigned = await inProcessInngestHandler(
      new NextRequest(`${BASE}/api/inngest?fnId=akol-webhooks-no-such-function&stepId=step`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }) as never,
      undefined,
    );
    expect(unsigned.status).not.toBe(401);
    expect(unsigned.headers.get("x-inngest-signature")).toBeNull();
  });
});

describe("same-origin check and URLs", () => {
  it("compares the Origin with APP_URL's origin (scheme + host + port) and ignores X-Forwarded-Host", async () => {
    env({ APP_URL: "https://hooks.example.com" });
    const a = await makeTenant("orig");
    const post = (headers: Record<string, string>) =>
      call(
        keysRoute.POST,
        request("POST", "/api/v1/api-keys", { auth: { cookie: a.cookie }, body: { name: "o" }, headers }),
      );
    expect((await post({ origin: "https://hooks.example.com" })).status).toBe(201);
    expect((await post({ origin: "http://hooks.example.com" })).status).toBe(403);
    expect((await post({ origin: "https://hooks.example.com:8443" })).status).toBe(403);
    // the request's own Host (what the old check compared with) proves nothing
    expect((await post({ origin: BASE })).status).toBe(403);
    expect((await post({ origin: "https://evil.example", "x-forwarded-host": "evil.example" })).status).toBe(403);
  });

  it.each([
    ["https:/\\hooks.example.com/a", "https://hooks.example.com/a"],
    ["https://HOOKS.Example.com:443/a/../b", "https://hooks.example.com/b"],
    ["https://hooks.example.com", "https://hooks.example.com/"],
    ["https://xn--bcher-kva.example/x", "https://xn--bcher-kva.example/x"],
  ])("%j is stored as %j", (typed, stored) => {
    expect(createWebhookSchema.parse({ url: typed, events: ["call.ended"] }).url).toBe(stored);
  });

  it("MAX_WEBHOOKS_PER_WORKSPACE: one more is a 409 quota_exceeded envelope, before any probe", async () => {
    env({ MAX_WEBHOOKS_PER_WORKSPACE: "2" });
    const a = await makeTenant("quota");
    for (let i = 0; i < 2; i++)
      await db.webhook.create({
        data: {
          id: `whk_quota${i}${a.workspaceId.slice(-8)}`,
          workspaceId: a.workspaceId,
          url: "https://example.com/",
          events: ["call.ended"],
          secretEncrypted: "x",
        },
      });
    const res = await call(
      webhooksRoute.POST,
      request("POST", "/api/v1/webhooks", {
        auth: { key: a.key },
        body: { url: "https://93.184.216.34/never-probed", events: ["call.ended"] },
      }),
    );
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ success: false, error: { code: "quota_exceeded", details: { limit: 2 } } });
    expect(await db.webhook.count({ where: { workspaceId: a.workspaceId } })).toBe(2);
  });
});
