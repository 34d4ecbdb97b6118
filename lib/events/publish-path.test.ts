import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as listRoute from "@/app/api/v1/webhooks/route";
import type { EmbeddedExecutor } from "@/inngest/embedded/executor";
import { embeddedRegistry } from "@/inngest/embedded/client";
import { ensureEmbeddedExecutor } from "@/inngest/embedded/start";
import { db, pool } from "@/lib/db";
import { findEventType } from "@/lib/events/catalog";
import { EVENT_PUBLISHED } from "@/lib/jobs/events";
import type { WebhookView } from "@/lib/webhooks/schemas";
import { BASE, call, makeTenant, request, type Tenant } from "@/test/support/api";
import { waitFor } from "@/test/support/executor";
import { startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";

/**
 * The publish path's round trips as the production app runs it: the executor is another process (none in
 * this one), so an API-key request costs one statement for the key and its rate limit and one for the event
 * row and its hand-over row to the fan-out — and both events published that way and the SDK's way arrive.
 */

type HandOver = { id: string; functionId: string; status: string; event: { events: Array<Record<string, unknown>> } };

/** The SQL statements `fn` issues on the shared pool (the one handle of lib/db that raw SQL and Prisma use). */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const p = pool();
  const texts: string[] = [];
  const original = p.query.bind(p);
  const spy = (...args: unknown[]) => {
    const first = args[0];
    texts.push(typeof first === "string" ? first : String((first as { text?: unknown }).text));
    return (original as (...a: unknown[]) => unknown)(...args);
  };
  Object.defineProperty(p, "query", { value: spy, configurable: true, writable: true });
  const connect = p.connect.bind(p);
  let checkedOut = 0;
  Object.defineProperty(p, "connect", {
    value: (...args: unknown[]) => {
      checkedOut++;
      return (connect as (...a: unknown[]) => unknown)(...args);
    },
    configurable: true,
    writable: true,
  });
  try {
    await fn();
  } finally {
    delete (p as unknown as Record<string, unknown>).query;
    delete (p as unknown as Record<string, unknown>).connect;
  }
  // pool.query checks a client out itself: any other check-out would be a statement not seen here (Prisma).
  expect(checkedOut, "no statement outside pool.query").toBe(texts.length);
  return texts;
}

async function handOvers(): Promise<HandOver[]> {
  const { rows } = await pool().query<HandOver>(
    `SELECT id, "functionId", status::text AS status, event FROM "ExecutorRun" WHERE "functionId" = '__route__' ORDER BY "createdAt", id`,
  );
  return rows;
}

describe("POST /api/v1/events with the executor in another process", () => {
  let tenant: Tenant;
  let receiver: Receiver;
  let restoreTargets: () => void;
  let executor: EmbeddedExecutor | null = null;
  const body = { type: "call.ended", data: findEventType("call.ended").example };
  const publish = (headers: Record<string, string> = {}, key = tenant.key) =>
    call<{ id: string; webhooks: number }>(
      eventsRoute.POST,
      request("POST", "/api/v1/events", { auth: { key }, body, headers }),
    );

  beforeAll(async () => {
    restoreTargets = useTestTargets("127.0.0.1");
    tenant = await makeTenant("publish-path");
    receiver = await startReceiver();
    const res = await call<WebhookView>(
      listRoute.POST,
      request("POST", "/api/v1/webhooks", {
        auth: { key: tenant.key },
        body: { url: receiver.url, events: ["call.ended"] },
      }),
    );
    expect(res.status).toBe(201);
    expect(embeddedRegistry().intakes.some((i) => i.accepting)).toBe(false);
  });
  afterAll(async () => {
    await executor?.stop({ timeoutMs: 5000 });
    await receiver.close();
    restoreTargets();
  });

  it("costs two statements: key + rate limit, then event row + hand-over row", async () => {
    expect((await publish()).status).toBe(202); // the key's lastUsedAt is written once a minute: not below
    const before = await handOvers();
    let res: Awaited<ReturnType<typeof publish>> | undefined;
    const statements = await statementsOf(async () => {
      res = await publish();
    });
    expect(res!.status).toBe(202);
    expect(res!.body.data.webhooks).toBe(1);
    expect(res!.headers.get("RateLimit-Remaining")).toBe(String(Number(res!.headers.get("RateLimit-Limit")) - 3));
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/"ApiKey"[\s\S]*INSERT INTO rate_limits/);
    expect(statements[1]).toMatch(/INSERT INTO "Event"[\s\S]*INSERT INTO "ExecutorRun"/);

    const added = (await handOvers()).filter((h) => !before.some((b) => b.id === h.id));
    expect(added).toHaveLength(1);
    expect(added[0]!.status).toBe("queued");
    const [entry] = added[0]!.event.events;
    expect(entry).toMatchObject({
      userId: true,
      event: {
        id: res!.body.data.id,
        name: EVENT_PUBLISHED,
        data: { eventId: res!.body.data.id, workspaceId: tenant.workspaceId },
      },
    });
    expect(await db.event.count({ where: { id: res!.body.data.id, workspaceId: tenant.workspaceId } })).toBe(1);
  });

  it("writes the hand-over row the SDK's send writes (an idempotent publish still goes through inngest.send)", async () => {
    const before = await handOvers();
    const direct = await publish();
    const viaSdk = await publish({ "Idempotency-Key": "publish-path-1" });
    expect([direct.status, viaSdk.status]).toEqual([202, 202]);
    const added = (await handOvers()).filter((h) => !before.some((b) => b.id === h.id));
    expect(added).toHaveLength(2);
    const shape = (h: HandOver) => {
      const [entry] = h.event.events as Array<{ event: Record<string, unknown>; userId: boolean }>;
      const { event, ...restOfEntry } = entry!;
      const { id, ts, data, ...restOfEvent } = event;
      return {
        functionId: h.functionId,
        status: h.status,
        entries: h.event.events.length,
        entryKeys: Object.keys(restOfEntry).sort(),
        eventKeys: Object.keys(event).sort(),
        restOfEvent,
        idIsString: typeof id === "string",
        tsIsNumber: typeof ts === "number",
        dataKeys: Object.keys(data as object).sort(),
        userId: entry!.userId,
      };
    };
    const [a, b] = added.map(shape);
    expect(a).toEqual(b);
    expect(added.map((h) => (h.event.events[0]!.event as { id: string }).id).sort()).toEqual(
      [direct.body.data.id, viaSdk.body.data.id].sort(),
    );
  });

  it("with an Idempotency-Key: one statement claims the key, one stores the answer; an expired key is claimed afresh", async () => {
    expect((await publish({ "Idempotency-Key": "warm-up" })).status).toBe(202);
    let first: Awaited<ReturnType<typeof publish>> | undefined;
    const statements = await statementsOf(async () => {
      first = await publish({ "Idempotency-Key": "publish-path-2" });
    });
    expect(first!.status).toBe(202);
    // key + rate limit, claim, event row, hand-over (the SDK's send: an idempotent publish), answer
    expect(statements).toHaveLength(5);
    expect(statements[1]).toMatch(/INSERT INTO "IdempotencyKey"/);
    expect(statements[4]).toMatch(/UPDATE "IdempotencyKey"/);
    const replay = await publish({ "Idempotency-Key": "publish-path-2" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.data.id).toBe(first!.body.data.id);

    // 25 hours later the key is free again, even for another body: a new event, not a replay or a 409.
    await db.idempotencyKey.update({
      where: { workspaceId_key: { workspaceId: tenant.workspaceId, key: "publish-path-2" } },
      data: { createdAt: new Date(Date.now() - 25 * 3600 * 1000), requestHash: "another body" },
    });
    const later = await publish({ "Idempotency-Key": "publish-path-2" });
    expect(later.status).toBe(202);
    expect(later.headers.get("idempotent-replayed")).toBeNull();
    expect(later.body.data.id).not.toBe(first!.body.data.id);
    const row = await db.idempotencyKey.findUniqueOrThrow({
      where: { workspaceId_key: { workspaceId: tenant.workspaceId, key: "publish-path-2" } },
    });
    expect(row.status).toBe(202);
    expect(Date.now() - row.createdAt.getTime()).toBeLessThan(60_000);
    expect((row.response as { data: { id: string } }).data.id).toBe(later.body.data.id);
  });

  it("a revoked key is refused at once and counts nothing against its workspace's budget", async () => {
    const other = await makeTenant("publish-path-revoked");
    expect((await publish({}, other.key)).status).toBe(202);
    const keys = await db.apiKey.findMany({ where: { workspaceId: other.workspaceId } });
    const revoke = await call(
      keyRoute.DELETE,
      request("DELETE", `/api/v1/api-keys/${keys[0]!.id}`, { auth: { key: other.key } }),
      { id: keys[0]!.id },
    );
    expect(revoke.status).toBeLessThan(300);
    const counted = async () =>
      (await db.rateLimit.findUnique({ where: { key: `api:${other.workspaceId}` } }))?.points ?? 0;
    const points = await counted();
    const refused = await publish({}, other.key);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe("unauthorized");
    expect(await counted()).toBe(points);
  });

  it("every event published either way reaches the webhook once an executor runs", async () => {
    const ids = (await db.event.findMany({ where: { workspaceId: tenant.workspaceId }, select: { id: true } })).map(
      (e) => e.id,
    );
    expect(ids.length).toBeGreaterThanOrEqual(4);
    executor = await ensureEmbeddedExecutor({ pollIntervalMs: 100 });
    await waitFor(async () => {
      const delivered = await db.delivery.count({ where: { eventId: { in: ids }, status: "succeeded" } });
      return delivered === ids.length ? true : null;
    }, `${ids.length} deliveries`);
    expect(await db.delivery.count({ where: { eventId: { in: ids } } })).toBe(ids.length);
  });
});

describe("a dashboard session's request", () => {
  it("is authenticated and counted in one statement; a 401 or 403 counts nothing against the workspace", async () => {
    const t = await makeTenant("session-count");
    const counted = async () =>
      (await db.rateLimit.findUnique({ where: { key: `api:${t.workspaceId}` } }))?.points ?? 0;
    const list = () => call(keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { cookie: t.cookie } }));
    expect((await list()).status).toBe(200);
    let res: Awaited<ReturnType<typeof list>> | undefined;
    const statements = await statementsOf(async () => {
      res = await list();
    });
    expect(res!.status).toBe(200);
    expect(statements).toHaveLength(2); // the session with its count, then the route's own list
    expect(statements[0]).toMatch(/"Membership"[\s\S]*INSERT INTO rate_limits/);
    expect(res!.headers.get("RateLimit-Remaining")).toBe(String(Number(res!.headers.get("RateLimit-Limit")) - 2));
    expect(await counted()).toBe(2);

    const evil = await call(
      keysRoute.POST,
      request("POST", "/api/v1/api-keys", {
        auth: { cookie: t.cookie, origin: "https://evil.example" },
        body: { name: "x" },
      }),
    );
    expect(evil.status).toBe(403);
    expect(await counted()).toBe(2);
    const same = await call(
      keysRoute.POST,
      request("POST", "/api/v1/api-keys", { auth: { cookie: t.cookie, origin: BASE }, body: { name: "x" } }),
    );
    expect(same.status).toBe(201);
    expect(await counted()).toBe(3);

    // Signed out everywhere: the old cookie is refused and counts nothing against the workspace.
    await db.user.update({ where: { id: t.userId }, data: { sessionVersion: { increment: 1 } } });
    const stale = await list();
    expect(stale.status).toBe(401);
    expect(await counted()).toBe(3);
  });
});
