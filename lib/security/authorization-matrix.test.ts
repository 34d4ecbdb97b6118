import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nextAuthRoute from "@/app/api/auth/[...nextauth]/route";
import { POST as signUp } from "@/app/api/auth/sign-up/route";
import * as inngestRoute from "@/app/api/inngest/route";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { endAllSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db";
import { EVENT_TYPES, findEventType } from "@/lib/events/catalog";
import {
  BASE,
  call,
  makeTenant,
  request,
  sessionCookie,
  type EnvelopeBody,
  type RouteHandler,
  type Tenant,
} from "@/test/support/api";
import { rowCounts, seedResources, workspaceState, type WorkspaceResources } from "@/test/support/fixtures";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";
import { discoverRoutes, fillRoute, type DiscoveredRoute } from "@/test/support/routes";
import { MASKED_SECRET } from "@/lib/webhooks/secret";
import { listActiveNotices } from "@/lib/notices/notices";

/**
 * Authorization matrix of the public API (issue 6, item 3): every route
 * handler under app/api/v1 (discovered from the folder, so a new route
 * without an entry in MATRIX fails here) × every kind of caller → the exact
 * status and error envelope, and nothing of workspace A changed by anyone
 * but A. Plus CSRF: session-authenticated mutations from another origin.
 *
 * Resources (webhook, delivery, API key) belong to workspace A; B is the
 * other workspace. Own-credential calls get fresh resources of A, so
 * destructive routes (DELETE) do not disturb the other cases.
 */

const routes = await discoverRoutes();

type Result = { status: number; headers: Headers; body: EnvelopeBody<unknown> };
type Ctx = { caller: Tenant; a: Tenant; b: Tenant; fx: WorkspaceResources; receiverUrl: string };

type Entry =
  /** No credentials needed, every caller gets the same answer. */
  | { auth: "public"; status: number }
  /** Addresses one resource by id: other workspaces get 404, never 403 (no existence oracle). */
  | {
      auth: "resource";
      status: number;
      body?: (ctx: Ctx) => unknown;
      query?: string;
      verify: (res: Result, ctx: Ctx) => Promise<void>;
    }
  /** Workspace-wide (list, create, publish): any workspace succeeds, seeing and touching only its own data. */
  | {
      auth: "workspace";
      status: number;
      body?: (ctx: Ctx) => unknown;
      verify: (res: Result, ctx: Ctx) => Promise<void>;
    };

const idsOf = (data: unknown): string[] => (data as { id: string }[]).map((x) => x.id).sort();
const dataOf = <T>(res: Result) => res.body.data as T;

/** Every `/api/v1` route and method, and what each kind of caller gets. Keys are `METHOD /path` relative to /api/v1. */
const MATRIX: Record<string, Entry> = {
  "GET /openapi.json": { auth: "public", status: 200 },

  "GET /api-keys": {
    auth: "workspace",
    status: 200,
    verify: async (res, { caller }) => {
      const own = await db.apiKey.findMany({
        where: { workspaceId: caller.workspaceId, revokedAt: null },
        select: { id: true },
      });
      expect(idsOf(res.body.data)).toEqual(idsOf(own));
      expect(JSON.stringify(res.body)).not.toMatch(/akol_sk_[A-Za-z0-9]{32}/);
    },
  },
  "POST /api-keys": {
    auth: "workspace",
    status: 201,
    body: () => ({ name: "matrix" }),
    verify: async (res, { caller }) => {
      const data = dataOf<{ id: string; key: string }>(res);
      expect(data.key).toMatch(/^akol_sk_[A-Za-z0-9]{32}$/);
      expect((await db.apiKey.findUniqueOrThrow({ where: { id: data.id } })).workspaceId).toBe(caller.workspaceId);
    },
  },
  "DELETE /api-keys/[id]": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      expect(res.body.data).toEqual({ id: fx.keyId, revoked: true });
      expect((await db.apiKey.findUniqueOrThrow({ where: { id: fx.keyId } })).revokedAt).not.toBeNull();
    },
  },
  "GET /event-types": {
    auth: "workspace",
    status: 200,
    verify: async (res) => {
      expect(dataOf<{ type: string }[]>(res).map((e) => e.type)).toEqual([...EVENT_TYPES]);
    },
  },
  "POST /events": {
    auth: "workspace",
    status: 202,
    body: () => ({ type: "call.ended", data: findEventType("call.ended")!.example }),
    verify: async (res, { caller }) => {
      const data = dataOf<{ id: string; webhooks: number }>(res);
      expect((await db.event.findUniqueOrThrow({ where: { id: data.id } })).workspaceId).toBe(caller.workspaceId);
      const subscribed = await db.webhook.count({
        where: { workspaceId: caller.workspaceId, isActive: true, events: { has: "call.ended" } },
      });
      expect(data.webhooks).toBe(subscribed);
    },
  },
  "GET /notices": {
    auth: "workspace",
    status: 200,
    verify: async (res, { caller }) => {
      expect(idsOf(res.body.data)).toEqual(idsOf(await listActiveNotices(caller.workspaceId)));
    },
  },
  "POST /notices/[id]/dismiss": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      expect(res.body.data).toEqual({ id: fx.noticeId, dismissed: true });
      const row = await db.webhookDisableNotice.findUniqueOrThrow({ where: { id: fx.noticeId } });
      expect(row.dismissedAt).not.toBeNull();
    },
  },
  "GET /operational-webhook": {
    auth: "workspace",
    status: 200,
    verify: async (res, { caller }) => {
      const own = await db.operationalEndpoint.findUnique({ where: { workspaceId: caller.workspaceId } });
      if (own) expect(res.body.data).toMatchObject({ id: own.id, url: own.url, secret: MASKED_SECRET });
      else expect(res.body.data).toBeNull();
    },
  },
  "PUT /operational-webhook": {
    auth: "workspace",
    status: 200,
    body: ({ receiverUrl }) => ({ url: receiverUrl }),
    verify: async (res, { caller, receiverUrl }) => {
      const data = dataOf<{ id: string; created: boolean; secret: string }>(res);
      const row = await db.operationalEndpoint.findUniqueOrThrow({ where: { id: data.id } });
      expect(row.workspaceId).toBe(caller.workspaceId);
      expect(row.url).toBe(receiverUrl);
      expect(data.secret).toMatch(data.created ? /^whsec_[A-Za-z0-9+/]{43}=$/ : /^whsec_•+$/);
      expect(row.secretEncrypted).not.toContain(data.secret.slice(6));
    },
  },
  "DELETE /operational-webhook": {
    auth: "workspace",
    status: 200,
    verify: async (res, { caller }) => {
      expect(res.body.data).toEqual({ deleted: expect.any(Boolean) });
      expect(await db.operationalEndpoint.findUnique({ where: { workspaceId: caller.workspaceId } })).toBeNull();
    },
  },
  "GET /webhooks": {
    auth: "workspace",
    status: 200,
    verify: async (res, { caller }) => {
      const own = await db.webhook.findMany({ where: { workspaceId: caller.workspaceId }, select: { id: true } });
      expect(own.length).toBeGreaterThan(0);
      expect(idsOf(res.body.data)).toEqual(idsOf(own));
      for (const w of dataOf<{ secret: string }[]>(res)) expect(w.secret).toBe(MASKED_SECRET);
    },
  },
  "POST /webhooks": {
    auth: "workspace",
    status: 201,
    body: ({ receiverUrl }) => ({ url: receiverUrl, events: ["call.ended"] }),
    verify: async (res, { caller }) => {
      const data = dataOf<{ id: string; secret: string }>(res);
      expect(data.secret).toMatch(/^whsec_/);
      expect((await db.webhook.findUniqueOrThrow({ where: { id: data.id } })).workspaceId).toBe(caller.workspaceId);
    },
  },
  "GET /webhooks/deleted": {
    auth: "workspace",
    status: 200,
    verify: async (res, { caller }) => {
      // exactly the caller's delivery logs whose webhook is gone: never another workspace's
      const [logs, live] = await Promise.all([
        db.delivery.findMany({
          where: { workspaceId: caller.workspaceId },
          select: { webhookId: true },
          distinct: ["webhookId"],
        }),
        db.webhook.findMany({ where: { workspaceId: caller.workspaceId }, select: { id: true } }),
      ]);
      const liveIds = new Set(live.map((w) => w.id));
      const expected = logs.map((l) => l.webhookId).filter((id) => !liveIds.has(id));
      const listed = dataOf<{ webhookId: string }[]>(res).map((d) => d.webhookId);
      expect([...listed].sort()).toEqual([...expected].sort());
    },
  },
  "GET /webhooks/stats": {
    auth: "workspace",
    status: 200,
    verify: async (res, { caller }) => {
      const own = await db.webhook.findMany({ where: { workspaceId: caller.workspaceId }, select: { id: true } });
      const lines = dataOf<{ webhooks: { webhookId: string }[] }>(res).webhooks;
      expect(lines.map((l) => l.webhookId).sort()).toEqual(idsOf(own));
    },
  },
  "GET /webhooks/[id]": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      expect(res.body.data).toMatchObject({ id: fx.webhookId, secret: MASKED_SECRET });
    },
  },
  "PATCH /webhooks/[id]": {
    auth: "resource",
    status: 200,
    body: () => ({ events: ["call.ended", "call.missed"] }),
    verify: async (res, { fx }) => {
      expect(res.body.data).toMatchObject({ id: fx.webhookId, events: ["call.ended", "call.missed"] });
      expect((await db.webhook.findUniqueOrThrow({ where: { id: fx.webhookId } })).events).toEqual([
        "call.ended",
        "call.missed",
      ]);
    },
  },
  "DELETE /webhooks/[id]": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      expect(res.body.data).toEqual({ id: fx.webhookId, deleted: true });
      expect(await db.webhook.findUnique({ where: { id: fx.webhookId } })).toBeNull();
    },
  },
  "GET /webhooks/[id]/deliveries": {
    auth: "resource",
    status: 200,
    query: "?page=1&limit=20&success=false",
    verify: async (res, { fx }) => {
      expect(idsOf(res.body.data)).toEqual([fx.deliveryId]);
      expect(res.body.pagination).toEqual({ page: 1, limit: 20, total: 1, totalPages: 1 });
    },
  },
  "GET /webhooks/[id]/deliveries/[deliveryId]": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      expect(res.body.data).toMatchObject({ id: fx.deliveryId, webhookId: fx.webhookId });
    },
  },
  "POST /webhooks/[id]/deliveries/[deliveryId]/replay": {
    auth: "resource",
    status: 202,
    verify: async (res, { fx }) => {
      expect(res.body.data).toMatchObject({ kind: "replay", replayOf: fx.deliveryId, webhookId: fx.webhookId });
    },
  },
  "GET /webhooks/[id]/recover": {
    auth: "resource",
    status: 200,
    query: `?since=${encodeURIComponent(new Date(Date.now() - 3600_000).toISOString())}`,
    verify: async (res) => {
      expect(dataOf<{ total: number }>(res).total).toBe(1); // the seeded failed delivery
    },
  },
  "POST /webhooks/[id]/recover": {
    auth: "resource",
    status: 202,
    body: () => ({ since: new Date(Date.now() - 3600_000).toISOString() }),
    verify: async (res, { fx }) => {
      const data = dataOf<{ id: string; total: number; status: string }>(res);
      expect(data).toMatchObject({ webhookId: fx.webhookId, total: 1, status: "running" });
      expect((await db.recovery.findUniqueOrThrow({ where: { id: data.id } })).webhookId).toBe(fx.webhookId);
    },
  },
  "GET /webhooks/[id]/recoveries": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      expect(idsOf(res.body.data)).toEqual([fx.recoveryId]);
    },
  },
  "GET /webhooks/[id]/recoveries/[recoveryId]": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      expect(res.body.data).toMatchObject({ id: fx.recoveryId, webhookId: fx.webhookId, status: "completed" });
    },
  },
  "POST /webhooks/[id]/rotate-secret": {
    auth: "resource",
    status: 200,
    verify: async (res, { fx }) => {
      const data = dataOf<{ id: string; secret: string }>(res);
      expect(data.id).toBe(fx.webhookId);
      expect(data.secret).toMatch(/^whsec_/);
      expect(data.secret).not.toBe(fx.secret);
    },
  },
  "GET /webhooks/[id]/stats": {
    auth: "resource",
    status: 200,
    verify: async (res) => {
      expect(dataOf<{ buckets: unknown[] }>(res).buckets).toHaveLength(24);
    },
  },
  "POST /webhooks/[id]/test": {
    auth: "resource",
    status: 202,
    body: () => ({ event: "call.ended" }),
    verify: async (res, { fx }) => {
      expect(res.body.data).toMatchObject({ kind: "test", webhookId: fx.webhookId, eventType: "call.ended" });
    },
  },
};

type Caller =
  | {
      kind: "none" | "malformed" | "revoked";
      label: string;
      auth?: { key?: string; cookie?: string; origin?: string };
      headers?: Record<string, string>;
    }
  | {
      kind: "otherKey" | "otherSession" | "ownKey" | "ownSession";
      label: string;
      auth: { key?: string; cookie?: string; origin?: string };
    };

let a: Tenant;
let b: Tenant;
let fxA: WorkspaceResources;
let revokedKey: string;
let receiver: Receiver;
let restoreTargets: () => void;
let restoreEnv: () => void;
/** The session cookie of a member of A who has since signed out (session version bumped). */
let signedOutCookie: string;

beforeAll(async () => {
  receiver = await startReceiver();
  restoreTargets = useTestTargets("127.0.0.1");
  restoreEnv = setTestEnv({ MAX_WEBHOOKS_PER_WORKSPACE: "100000", AUTH_SIGN_UP_PER_IP: "100000" });
  a = await makeTenant("a");
  b = await makeTenant("b");
  fxA = await seedResources(a.workspaceId, receiver.url);
  await seedResources(b.workspaceId, receiver.url); // B's own data: lists must show exactly these
  const revoked = await createApiKey(a.workspaceId, "revoked");
  await revokeApiKey(a.workspaceId, revoked.id);
  revokedKey = revoked.key;
  const member = await makeTenant("member");
  await db.membership.create({ data: { userId: member.userId, workspaceId: a.workspaceId } });
  signedOutCookie = await sessionCookie({ id: member.userId, email: member.email, workspaceId: a.workspaceId });
  await endAllSessions(member.userId);
});
afterAll(async () => {
  restoreEnv();
  restoreTargets();
  await receiver.close();
});

function callers(): Caller[] {
  return [
    { kind: "none", label: "no credentials" },
    { kind: "malformed", label: "malformed key (not akol_sk_)", headers: { authorization: "Bearer nope" } },
    { kind: "malformed", label: "malformed key (too short)", headers: { authorization: "Bearer akol_sk_abc" } },
    {
      kind: "malformed",
      label: "malformed key (unknown, well-formed)",
      headers: { authorization: `Bearer akol_sk_${"x".repeat(32)}` },
    },
    { kind: "malformed", label: "malformed scheme (Basic)", headers: { authorization: "Basic dXNlcjpwYXNz" } },
    {
      kind: "malformed",
      label: "malformed key + valid session (no fallback)",
      auth: { cookie: a.cookie, origin: BASE },
      headers: { authorization: "Bearer nope" },
    },
    {
      kind: "malformed",
      label: "forged session cookie",
      headers: { cookie: "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..forged" },
    },
    { kind: "revoked", label: "revoked key of A", auth: { key: revokedKey } },
    {
      kind: "revoked",
      label: "session of a member of A, replayed after sign-out",
      auth: { cookie: signedOutCookie, origin: BASE },
    },
    { kind: "otherKey", label: "B's key", auth: { key: b.key } },
    { kind: "otherSession", label: "B's session", auth: { cookie: b.cookie, origin: BASE } },
    { kind: "ownKey", label: "A's key", auth: { key: a.key } },
    { kind: "ownSession", label: "A's session (same origin)", auth: { cookie: a.cookie, origin: BASE } },
  ];
}

function paramsFor(route: DiscoveredRoute, fx: WorkspaceResources): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of route.params) {
    if (name === "id")
      out[name] = route.route.startsWith("/api-keys/")
        ? fx.keyId
        : route.route.startsWith("/notices/")
          ? fx.noticeId
          : fx.webhookId;
    else if (name === "deliveryId") out[name] = fx.deliveryId;
    else if (name === "recoveryId") out[name] = fx.recoveryId;
    else
      throw new Error(`the matrix does not know which resource [${name}] of ${route.key} names: add it to paramsFor`);
  }
  return out;
}

async function invoke(
  route: DiscoveredRoute,
  entry: Entry,
  caller: Caller,
  ctx: Ctx,
  extraHeaders: Record<string, string> = {},
): Promise<Result> {
  const params = paramsFor(route, ctx.fx);
  const query = entry.auth === "resource" ? (entry.query ?? "") : "";
  const body = entry.auth === "public" ? undefined : entry.body?.(ctx);
  const headers = { ...("headers" in caller ? caller.headers : undefined), ...extraHeaders };
  const req = request(route.method, `/api/v1${fillRoute(route.route, params)}${query}`, {
    auth: caller.auth,
    body,
    headers,
  });
  return call(route.handler, req, params);
}

function expectErrorEnvelope(res: Result, status: number, code: string, label: string): void {
  expect(res.status, label).toBe(status);
  expect(res.headers.get("content-type"), label).toMatch(/^application\/json/);
  // exactly {success:false, error:{code, message}}
  expect(res.body, label).toEqual({ success: false, error: { code, message: expect.any(String) } });
  expect(res.body.error?.message.length, label).toBeGreaterThan(0);
}

function expectSuccess(res: Result, status: number, label: string): void {
  expect(res.status, `${label}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(status);
  expect(res.body.success, label).toBe(true);
  expect(res.body, label).toHaveProperty("data");
}

describe("authorization matrix", () => {
  it("has an entry for every /api/v1 route and method, and none for routes that do not exist", () => {
    const discovered = routes.map((r) => r.key).sort();
    expect(discovered.length).toBeGreaterThanOrEqual(17);
    expect(Object.keys(MATRIX).sort()).toEqual(discovered);
  });

  for (const route of routes) {
    it(`${route.key}`, async () => {
      const entry = MATRIX[route.key];
      expect(entry, `${route.key} has no entry in MATRIX: decide who may call it and add one`).toBeDefined();
      if (!entry) return;
      for (const caller of callers()) {
        const label = `${route.key} × ${caller.label}`;
        const own = caller.kind === "ownKey" || caller.kind === "ownSession";
        const fx = own ? await seedResources(a.workspaceId, receiver.url) : fxA;
        const ctx: Ctx = {
          caller: caller.kind === "otherKey" || caller.kind === "otherSession" ? b : a,
          a,
          b,
          fx,
          receiverUrl: receiver.url,
        };
        const before = own ? "" : await workspaceState(a.workspaceId);
        const res = await invoke(route, entry, caller, ctx);

        if (entry.auth === "public") {
          expect(res.status, label).toBe(entry.status);
        } else if (caller.kind === "none" || caller.kind === "malformed" || caller.kind === "revoked") {
          expectErrorEnvelope(res, 401, "unauthorized", label);
        } else if (own) {
          expectSuccess(res, entry.status, label);
          await entry.verify(res, ctx);
        } else if (entry.auth === "resource") {
          expectErrorEnvelope(res, 404, "not_found", label);
        } else {
          // workspace-wide route called by B: succeeds, scoped to B
          expectSuccess(res, entry.status, label);
          await entry.verify(res, ctx);
        }
        if (!own) {
          // nobody but A changed anything of A, nor saw any of A's resources
          expect(await workspaceState(a.workspaceId), `${label} changed workspace A`).toBe(before);
          const text = JSON.stringify(res.body);
          for (const id of [fxA.webhookId, fxA.deliveryId, fxA.keyId, fxA.noticeId, fxA.recoveryId, a.workspaceId])
            expect(text, `${label} leaked ${id}`).not.toContain(id);
        }
      }
    });
  }
});

describe("CSRF: session-authenticated mutations", () => {
  const mutations = routes.filter(
    (r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method) && MATRIX[r.key]?.auth !== "public",
  );

  it("covers every mutation route", () => {
    expect(mutations.map((r) => r.key)).toEqual(
      expect.arrayContaining([
        "POST /webhooks",
        "PATCH /webhooks/[id]",
        "DELETE /webhooks/[id]",
        "POST /api-keys",
        "DELETE /api-keys/[id]",
      ]),
    );
  });

  const crossSite: { label: string; origin?: string; headers?: Record<string, string> }[] = [
    { label: "Origin https://evil.example", origin: "https://evil.example" },
    { label: "Origin null", origin: "null" },
    { label: "Origin on a look-alike host", origin: "http://localhost:3000.evil.example" },
    { label: "Origin with another port", origin: "http://localhost:3001" },
    { label: "no Origin, Sec-Fetch-Site cross-site", headers: { "sec-fetch-site": "cross-site" } },
  ];

  for (const route of mutations) {
    it(`${route.key}: refused from another origin, works from the app's origin and with an API key from anywhere`, async () => {
      const entry = MATRIX[route.key]!;
      if (entry.auth === "public") return;
      for (const c of crossSite) {
        const label = `${route.key} × session × ${c.label}`;
        const before = await workspaceState(a.workspaceId);
        const counts = await rowCounts();
        const probes = receiver.requests.length;
        const caller: Caller = {
          kind: "ownSession",
          label,
          auth: { cookie: a.cookie, ...(c.origin ? { origin: c.origin } : {}) },
        };
        const res = await invoke(
          route,
          entry,
          caller,
          { caller: a, a, b, fx: fxA, receiverUrl: receiver.url },
          c.headers,
        );
        expectErrorEnvelope(res, 403, "forbidden", label);
        expect(await workspaceState(a.workspaceId), `${label} changed workspace A`).toBe(before);
        expect(await rowCounts(), `${label} wrote rows`).toEqual(counts);
        expect(receiver.requests.length, `${label} sent a probe`).toBe(probes);
      }

      const same = { cookie: a.cookie, origin: BASE };
      for (const [label, auth] of [
        ["session, same origin", same],
        ["session, same origin (Sec-Fetch-Site only)", { cookie: a.cookie }],
        ["API key, Origin https://evil.example", { key: a.key, origin: "https://evil.example" }],
      ] as const) {
        const fx = await seedResources(a.workspaceId, receiver.url);
        const ctx: Ctx = { caller: a, a, b, fx, receiverUrl: receiver.url };
        const headers: Record<string, string> = "origin" in auth ? {} : { "sec-fetch-site": "same-origin" };
        const res = await invoke(route, entry, { kind: "ownSession", label, auth }, ctx, headers);
        expectSuccess(res, entry.status, `${route.key} × ${label}`);
        await entry.verify(res, ctx);
      }
    });
  }
});

describe("auth routes (issue 10): every kind of caller", () => {
  const nextAuth = nextAuthRoute.POST as unknown as RouteHandler;
  const authCallers = () => callers().filter((c) => c.kind !== "malformed");

  it("POST /api/auth/sign-up: a new, separate account for anyone; nothing of A changes or shows", async () => {
    for (const [n, caller] of authCallers().entries()) {
      const before = await workspaceState(a.workspaceId);
      const email = `matrix-signup-${n}-${Date.now()}@example.com`;
      const res = await call<{ id: string; workspaceId: string }>(
        signUp,
        request("POST", "/api/auth/sign-up", {
          auth: caller.auth,
          headers: "headers" in caller ? caller.headers : undefined,
          body: { email, password: "long-enough-pw" },
        }),
      );
      expectSuccess(res, 201, `sign-up × ${caller.label}`);
      expect(res.body.data.workspaceId).not.toBe(a.workspaceId);
      expect(res.body.data.workspaceId).not.toBe(b.workspaceId);
      expect(await workspaceState(a.workspaceId), `sign-up × ${caller.label} changed A`).toBe(before);
      expect(JSON.stringify(res.body)).not.toContain(a.workspaceId);
    }
  });

  it("POST /api/auth/callback/credentials and /signout: caps apply to every caller, with the envelope", async () => {
    for (const caller of authCallers()) {
      const headers = {
        "content-type": "application/x-www-form-urlencoded",
        ...("headers" in caller ? caller.headers : {}),
      };
      const long = await call(
        nextAuth,
        request("POST", "/api/auth/callback/credentials", {
          auth: caller.auth,
          headers,
          rawBody: new URLSearchParams({
            email: a.email,
            password: "x".repeat(201),
            csrfToken: "t",
            json: "true",
          }).toString(),
        }),
        { nextauth: ["callback", "credentials"] },
      );
      expect(long.status, `credentials × ${caller.label}`).toBe(400);
      expect(long.body).toMatchObject({ success: false, error: { code: "validation_error" } });
      const big = await call(
        nextAuth,
        request("POST", "/api/auth/signout", { auth: caller.auth, headers, rawBody: `a=${"x".repeat(17 * 1024)}` }),
        { nextauth: ["signout"] },
      );
      expect(big.status, `signout × ${caller.label}`).toBe(413);
      expect(big.body).toMatchObject({ success: false, error: { code: "payload_too_large" } });
    }
  });

  it("/api/inngest: unsigned is 401 for every caller, API keys and sessions included", async () => {
    for (const caller of callers()) {
      for (const method of ["GET", "POST", "PUT"] as const) {
        const req = request(method, "/api/inngest", {
          auth: caller.auth,
          headers: "headers" in caller ? caller.headers : undefined,
          rawBody: method === "GET" ? undefined : "{}",
        });
        const res = await (inngestRoute[method] as unknown as RouteHandler)(new NextRequest(req) as never, {
          params: Promise.resolve({}) as Promise<never>,
        });
        expect(res.status, `${method} /api/inngest × ${caller.label}`).toBe(401);
      }
    }
  });
});
