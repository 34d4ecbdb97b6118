import { beforeAll, describe, expect, it } from "vitest";
import * as itemStatsRoute from "@/app/api/v1/webhooks/[id]/stats/route";
import * as listStatsRoute from "@/app/api/v1/webhooks/stats/route";
import { db } from "@/lib/db";
import {
  healthWindow,
  webhookHealth,
  workspaceSparklines,
  type WebhookHealth,
  type WebhookSparklines,
} from "@/lib/delivery/stats";
import { newId } from "@/lib/ids";
import { call, makeTenant, request, type Tenant } from "@/test/support/api";

/** Real PostgreSQL: webhooks, deliveries and attempts inserted directly, at chosen times. */

let a: Tenant;
let b: Tenant;

async function insertWebhook(t: Tenant, createdAt = new Date()): Promise<string> {
  const id = newId("whk");
  await db.webhook.create({
    data: {
      id,
      workspaceId: t.workspaceId,
      url: `https://example.com/${id}`,
      events: ["call.ended"],
      secretEncrypted: "unused-in-this-test",
      createdAt,
    },
  });
  return id;
}

type AttemptSpec = { at: string | Date; status: number | null; ms: number; error?: string };

/** One delivery of `webhookId` in `workspaceId` with the given attempts (numbered in order). */
async function insertDelivery(
  workspaceId: string,
  webhookId: string,
  attempts: AttemptSpec[],
  kind: "event" | "test" | "replay" = "event",
  status: "pending" | "succeeded" | "failed" | "cancelled" = "failed",
) {
  const id = newId("dlv");
  const first = attempts[0] ? new Date(attempts[0].at) : new Date();
  await db.delivery.create({
    data: {
      id,
      workspaceId,
      webhookId,
      messageId: newId("msg"),
      eventType: "call.ended",
      kind,
      payload: "{}",
      url: "https://example.com/hook",
      status,
      createdAt: first,
      attempts: {
        create: attempts.map((a, i) => ({
          id: newId("att"),
          attemptNumber: i + 1,
          startedAt: new Date(a.at),
          statusCode: a.status,
          durationMs: a.ms,
          error:
            a.error ??
            (a.status !== null && a.status >= 200 && a.status < 300 ? null : `endpoint answered ${a.status ?? "?"}`),
        })),
      },
    },
  });
  return id;
}

beforeAll(async () => {
  a = await makeTenant("stats-a");
  b = await makeTenant("stats-b");
});

describe("healthWindow", () => {
  it("spans 24 hourly buckets aligned to UTC hours, ending with the current hour", () => {
    const { from, to } = healthWindow(new Date("2026-04-18T14:23:10.123Z"));
    expect(from.toISOString()).toBe("2026-04-17T15:00:00.000Z");
    expect(to.toISOString()).toBe("2026-04-18T15:00:00.000Z");
    const exact = healthWindow(new Date("2026-04-18T14:00:00.000Z"));
    expect(exact.from.toISOString()).toBe("2026-04-17T15:00:00.000Z");
  });
});

describe("webhookHealth", () => {
  const now = new Date("2026-04-18T14:23:10.000Z");

  it("buckets attempts by hour with counts and p50/p95 latency, and totals the window", async () => {
    const w = await insertWebhook(a);
    const other = await insertWebhook(a);

    // current hour (bucket 23): two successes and a failed retry chain
    await insertDelivery(a.workspaceId, w, [{ at: "2026-04-18T14:05:00.000Z", status: 200, ms: 100 }]);
    await insertDelivery(a.workspaceId, w, [{ at: "2026-04-18T14:20:00.000Z", status: 204, ms: 200 }], "test");
    // a delivery whose attempts straddle hours: 500 at 13:59:59.999 (bucket 22), 302 at 14:10 (bucket 23: a redirect is a failure)
    await insertDelivery(a.workspaceId, w, [
      { at: "2026-04-18T13:59:59.999Z", status: 500, ms: 40 },
      { at: "2026-04-18T14:10:00.000Z", status: 302, ms: 300 },
    ]);
    // first bucket (15:00 yesterday, inclusive): a timeout without status
    await insertDelivery(a.workspaceId, w, [
      { at: "2026-04-17T15:00:00.000Z", status: null, ms: 10_000, error: "timeout: no answer within 15000 ms" },
    ]);
    // outside the window: just before it, and in the next hour (a clock skew)
    await insertDelivery(a.workspaceId, w, [{ at: "2026-04-17T14:59:59.999Z", status: 200, ms: 5 }]);
    await insertDelivery(a.workspaceId, w, [{ at: "2026-04-18T15:00:00.000Z", status: 200, ms: 5 }]);
    // another webhook of the workspace, and a row of another workspace claiming this webhook's id
    await insertDelivery(a.workspaceId, other, [{ at: "2026-04-18T14:00:00.000Z", status: 500, ms: 7 }]);
    await insertDelivery(b.workspaceId, w, [{ at: "2026-04-18T14:00:00.000Z", status: 500, ms: 7 }]);

    const h: WebhookHealth = await webhookHealth(a.workspaceId, w, now);
    expect(h.from).toBe("2026-04-17T15:00:00.000Z");
    expect(h.to).toBe("2026-04-18T15:00:00.000Z");
    expect(h.buckets).toHaveLength(24);
    expect(h.buckets.map((x) => x.bucketStart)).toEqual(
      Array.from({ length: 24 }, (_, i) =>
        new Date(Date.parse("2026-04-17T15:00:00.000Z") + i * 3_600_000).toISOString(),
      ),
    );

    // [100, 200, 300]: median 200, p95 (continuous) 200 + 0.9 * 100 = 290
    expect(h.buckets[23]).toEqual({
      bucketStart: "2026-04-18T14:00:00.000Z",
      total: 3,
      succeeded: 2,
      failed: 1,
      p50Ms: 200,
      p95Ms: 290,
    });
    expect(h.buckets[22]).toEqual({
      bucketStart: "2026-04-18T13:00:00.000Z",
      total: 1,
      succeeded: 0,
      failed: 1,
      p50Ms: 40,
      p95Ms: 40,
    });
    expect(h.buckets[0]).toEqual({
      bucketStart: "2026-04-17T15:00:00.000Z",
      total: 1,
      succeeded: 0,
      failed: 1,
      p50Ms: 10_000,
      p95Ms: 10_000,
    });
    for (const i of [1, 5, 21])
      expect(h.buckets[i]).toMatchObject({ total: 0, succeeded: 0, failed: 0, p50Ms: null, p95Ms: null });

    // totals over the raw attempts [40, 100, 200, 300, 10000]: p50 200, p95 300 + 0.8 * 9700 = 8060
    expect(h.totals).toEqual({ total: 5, succeeded: 2, failed: 3, successRate: 0.4, p50Ms: 200, p95Ms: 8060 });
  });

  it("counts deliveries by outcome beside attempts: a success after retries is one succeeded delivery", async () => {
    const w = await insertWebhook(a);
    // succeeded on its third attempt: 3 attempts, 1 success, but one succeeded delivery
    await insertDelivery(
      a.workspaceId,
      w,
      [
        { at: "2026-04-18T10:00:00.000Z", status: 500, ms: 10 },
        { at: "2026-04-18T10:00:05.000Z", status: 503, ms: 10 },
        { at: "2026-04-18T10:05:05.000Z", status: 200, ms: 10 },
      ],
      "event",
      "succeeded",
    );
    await insertDelivery(
      a.workspaceId,
      w,
      [{ at: "2026-04-18T11:00:00.000Z", status: 204, ms: 10 }],
      "test",
      "succeeded",
    );
    await insertDelivery(
      a.workspaceId,
      w,
      [{ at: "2026-04-18T12:00:00.000Z", status: 500, ms: 10 }],
      "event",
      "failed",
    );
    await insertDelivery(
      a.workspaceId,
      w,
      [{ at: "2026-04-18T12:30:00.000Z", status: 500, ms: 10 }],
      "event",
      "cancelled",
    );
    await insertDelivery(
      a.workspaceId,
      w,
      [{ at: "2026-04-18T13:00:00.000Z", status: 500, ms: 10 }],
      "event",
      "pending",
    );
    // outside the window, and another workspace's row claiming this webhook id
    await insertDelivery(
      a.workspaceId,
      w,
      [{ at: "2026-04-17T14:00:00.000Z", status: 200, ms: 10 }],
      "event",
      "succeeded",
    );
    await insertDelivery(
      b.workspaceId,
      w,
      [{ at: "2026-04-18T12:00:00.000Z", status: 200, ms: 10 }],
      "event",
      "succeeded",
    );

    const h = await webhookHealth(a.workspaceId, w, now);
    expect(h.totals).toMatchObject({ total: 7, succeeded: 2, failed: 5 });
    expect(h.deliveries).toEqual({ settled: 4, succeeded: 2, failed: 1, cancelled: 1, pending: 1, successRate: 0.5 });
  });

  it("answers zeros and nulls for a webhook without attempts", async () => {
    const w = await insertWebhook(a);
    const h = await webhookHealth(a.workspaceId, w, now);
    expect(h.buckets.every((x) => x.total === 0 && x.p50Ms === null)).toBe(true);
    expect(h.totals).toEqual({ total: 0, succeeded: 0, failed: 0, successRate: null, p50Ms: null, p95Ms: null });
    expect(h.deliveries).toEqual({ settled: 0, succeeded: 0, failed: 0, cancelled: 0, pending: 0, successRate: null });
  });
});

describe("workspaceSparklines", () => {
  it("returns 24 hourly succeeded/failed counts for every webhook of the workspace, and only its own", async () => {
    const t = await makeTenant("spark");
    const now = new Date("2026-05-02T09:30:00.000Z");
    const busy = await insertWebhook(t, new Date("2026-05-01T00:00:00.000Z"));
    const idle = await insertWebhook(t, new Date("2026-05-02T00:00:00.000Z"));
    await insertDelivery(t.workspaceId, busy, [
      { at: "2026-05-02T09:01:00.000Z", status: 503, ms: 10 },
      { at: "2026-05-02T09:02:00.000Z", status: 200, ms: 10 },
    ]);
    await insertDelivery(t.workspaceId, busy, [{ at: "2026-05-02T09:10:00.000Z", status: 200, ms: 10 }], "replay");
    await insertDelivery(t.workspaceId, busy, [{ at: "2026-05-01T10:15:00.000Z", status: 410, ms: 10 }]);
    await insertDelivery(t.workspaceId, busy, [{ at: "2026-05-01T09:59:00.000Z", status: 200, ms: 10 }]); // before the window
    // another workspace's row with this webhook's id must not leak in, nor its own webhooks appear
    await insertDelivery(b.workspaceId, busy, [{ at: "2026-05-02T09:05:00.000Z", status: 500, ms: 10 }]);
    await insertWebhook(b);

    const s: WebhookSparklines = await workspaceSparklines(t.workspaceId, now);
    expect(s.from).toBe("2026-05-01T10:00:00.000Z");
    expect(s.webhooks.map((x) => x.webhookId)).toEqual([idle, busy]); // newest first, like the list
    const [idleLine, busyLine] = s.webhooks;
    expect(idleLine?.buckets).toHaveLength(24);
    expect(idleLine?.buckets.every((x) => x.succeeded === 0 && x.failed === 0)).toBe(true);
    expect(busyLine?.buckets).toHaveLength(24);
    expect(busyLine?.buckets[23]).toEqual({ bucketStart: "2026-05-02T09:00:00.000Z", succeeded: 2, failed: 1 });
    expect(busyLine?.buckets[0]).toEqual({ bucketStart: "2026-05-01T10:00:00.000Z", succeeded: 0, failed: 1 });
    expect(busyLine?.buckets.slice(1, 23).every((x) => x.succeeded === 0 && x.failed === 0)).toBe(true);

    expect((await workspaceSparklines((await makeTenant("empty")).workspaceId, now)).webhooks).toEqual([]);
  });
});

describe("routes", () => {
  it("GET /webhooks/:id/stats answers the health of the last 24 h, and 404 for another workspace", async () => {
    const w = await insertWebhook(a);
    await insertDelivery(a.workspaceId, w, [{ at: new Date(Date.now() - 60_000), status: 200, ms: 123 }]);
    const res = await call<WebhookHealth>(
      itemStatsRoute.GET,
      request("GET", `/api/v1/webhooks/${w}/stats`, { auth: { key: a.key } }),
      { id: w },
    );
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.data.buckets).toHaveLength(24);
    expect(res.body.data.totals).toEqual({ total: 1, succeeded: 1, failed: 0, successRate: 1, p50Ms: 123, p95Ms: 123 });

    for (const [t, id] of [
      [b, w],
      [a, "whk_doesnotexist0000"],
      [a, "nope"],
    ] as const) {
      const denied = await call(
        itemStatsRoute.GET,
        request("GET", `/api/v1/webhooks/${id}/stats`, { auth: { key: t.key } }),
        { id },
      );
      expect(denied.status).toBe(404);
      expect(denied.body).toMatchObject({ success: false, error: { code: "not_found" } });
    }
    const anonymous = await call(itemStatsRoute.GET, request("GET", `/api/v1/webhooks/${w}/stats`), { id: w });
    expect(anonymous.status).toBe(401);
  });

  it("GET /webhooks/stats answers a sparkline per webhook of the caller's workspace (session or key)", async () => {
    const t = await makeTenant("spark-route");
    const w = await insertWebhook(t);
    await insertDelivery(t.workspaceId, w, [{ at: new Date(Date.now() - 1_000), status: 500, ms: 9 }]);
    for (const auth of [{ key: t.key }, { cookie: t.cookie }]) {
      const res = await call<WebhookSparklines>(listStatsRoute.GET, request("GET", "/api/v1/webhooks/stats", { auth }));
      expect(res.status).toBe(200);
      expect(res.body.data.webhooks).toHaveLength(1);
      expect(res.body.data.webhooks[0]?.webhookId).toBe(w);
      expect(res.body.data.webhooks[0]?.buckets[23]).toMatchObject({ succeeded: 0, failed: 1 });
    }
  });
});
