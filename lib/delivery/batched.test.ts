import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedExecutor } from "@/inngest/embedded/executor";
import { db } from "@/lib/db";
import { findEventType } from "@/lib/events/catalog";
import { newId } from "@/lib/ids";
import { verifySigned } from "@/test/support/deliveries";
import { waitFor } from "@/test/support/executor";
import { seedWebhook } from "@/test/support/fixtures";
import { makeTenant } from "@/test/support/api";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";

/**
 * The batched fan-out (inngest/functions/fan-out.ts, lib/delivery/first-attempts.ts):
 * first attempts made inside the batch run, `deliver` runs only for what the
 * batch could not finish, the endpoint's budget (lib/delivery/budget.ts), and
 * the webhook re-checked before sending. Real executor, PostgreSQL, HTTPS.
 */

const RATE = 5;
let executor: EmbeddedExecutor | null;
let restoreTargets: () => void;
let restoreEnv: () => void;
let receiver: Receiver;

beforeAll(async () => {
  restoreTargets = useTestTargets("127.0.0.1");
  // Before the functions are loaded: the deliver throttle's limit is read when they are defined.
  restoreEnv = setTestEnv({ WEBHOOK_RETRY_SCHEDULE: "1,1,1", WEBHOOK_DELIVERY_RATE_PER_SECOND: String(RATE) });
  receiver = await startReceiver();
  const { ensureEmbeddedExecutor } = await import("@/inngest/embedded/start");
  executor = await ensureEmbeddedExecutor({ pollIntervalMs: 100 });
});
afterAll(async () => {
  await executor?.stop({ timeoutMs: 5000 });
  await receiver.close();
  restoreEnv();
  restoreTargets();
});

const example = findEventType("call.ended")!.example as Record<string, unknown>;

async function publishMany(workspaceId: string, n: number, tag: string): Promise<void> {
  const { publishEventJson } = await import("@/lib/events/publish");
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      publishEventJson(workspaceId, {
        type: "call.ended",
        dataJson: JSON.stringify({ ...example, callId: `call_${tag}-${i}` }),
      }),
    ),
  );
}

/** Deliveries of these ids that got a `deliver` run (its event carries the delivery id). */
async function withDeliverRun(deliveryIds: string[]): Promise<Set<string>> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT event -> 'data' ->> 'deliveryId' AS id FROM "ExecutorRun"
     WHERE "functionId" LIKE '%-deliver' AND event -> 'data' ->> 'deliveryId' = ANY(${deliveryIds}::text[])`;
  return new Set(rows.map((r) => r.id));
}

const forTag = (tag: string) => receiver.requests.filter((q) => q.body.includes(`"call_${tag}-`));

describe("batched fan-out", () => {
  it("makes the first attempts inside the batch run: few fan-out runs, no deliver run for a success, each signed with its delivery's webhook-id", async () => {
    const t = await makeTenant("batch-ok");
    const hooks = await Promise.all([0, 1, 2].map(() => seedWebhook(t.workspaceId, { url: receiver.url })));
    await publishMany(t.workspaceId, 4, "ok");
    await waitFor(
      async () => (await db.delivery.count({ where: { workspaceId: t.workspaceId, status: "succeeded" } })) === 12,
      "12 deliveries",
      30_000,
    );
    const deliveries = await db.delivery.findMany({ where: { workspaceId: t.workspaceId } });
    expect(await withDeliverRun(deliveries.map((d) => d.id))).toEqual(new Set());
    // Four events published together make fewer fan-out runs than events (one, unless a batch timed out between).
    const runs = await db.$queryRaw<{ n: number; events: number }[]>`
      SELECT count(*)::int AS n, sum(jsonb_array_length(event -> 'batch'))::int AS events FROM "ExecutorRun"
       WHERE "functionId" LIKE '%-fan-out' AND event -> 'batch' -> 0 -> 'data' ->> 'workspaceId' = ${t.workspaceId}`;
    expect(runs[0]!.events).toBe(4);
    expect(runs[0]!.n).toBeLessThan(4);
    const got = forTag("ok");
    expect(got).toHaveLength(12);
    for (const d of deliveries) {
      const hits = got.filter((q) => q.headers["webhook-id"] === d.messageId);
      expect(hits, d.id).toHaveLength(1);
      const secret = hooks.find((h) => h.webhook.id === d.webhookId)!.secret;
      expect(() => verifySigned(secret, hits[0]!)).not.toThrow();
      expect(d).toMatchObject({ attemptCount: 1, success: true, statusCode: 200 });
    }
  });

  it("a failed first attempt goes on in a deliver run from attempt 2, with the same webhook-id", async () => {
    const t = await makeTenant("batch-retry");
    await seedWebhook(t.workspaceId, { url: receiver.url });
    const seen = new Map<string, number>();
    receiver.setHandler((q, res) => {
      const id = String(q.headers["webhook-id"]);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      res.writeHead(n === 1 ? 500 : 200).end();
    });
    try {
      await publishMany(t.workspaceId, 1, "retry");
      const d = await waitFor(
        () => db.delivery.findFirst({ where: { workspaceId: t.workspaceId, status: "succeeded" } }),
        "the retried delivery",
        30_000,
      );
      expect(d.attemptCount).toBe(2);
      const attempts = await db.deliveryAttempt.findMany({
        where: { deliveryId: d.id },
        orderBy: { attemptNumber: "asc" },
      });
      expect(attempts.map((a) => [a.attemptNumber, a.statusCode])).toEqual([
        [1, 500],
        [2, 200],
      ]);
      expect(await withDeliverRun([d.id])).toEqual(new Set([d.id]));
      expect(forTag("retry").map((q) => q.headers["webhook-id"])).toEqual([d.messageId, d.messageId]);
    } finally {
      receiver.setHandler();
    }
  });

  it("the endpoint's budget bounds the first attempts: past WEBHOOK_DELIVERY_RATE_PER_SECOND the rest go to throttled deliver runs", async () => {
    const t = await makeTenant("batch-budget");
    await seedWebhook(t.workspaceId, { url: receiver.url });
    const n = 20;
    const startedAt = Date.now();
    await publishMany(t.workspaceId, n, "budget");
    const publishSeconds = (Date.now() - startedAt) / 1000;
    await waitFor(
      async () => (await db.delivery.count({ where: { workspaceId: t.workspaceId, status: "succeeded" } })) === n,
      "all deliveries",
      60_000,
    );
    const deliveries = await db.delivery.findMany({ where: { workspaceId: t.workspaceId } });
    const viaRuns = await withDeliverRun(deliveries.map((d) => d.id));
    const inBatch = n - viaRuns.size;
    // GCRA: RATE at once, then RATE per second of the time the batches were formed over.
    expect(inBatch).toBeGreaterThanOrEqual(1);
    expect(inBatch).toBeLessThanOrEqual(RATE + Math.ceil(RATE * (publishSeconds + 1)));
    const times = forTag("budget")
      .map((q) => q.receivedAt.getTime())
      .sort((a, b) => a - b);
    expect(times).toHaveLength(n); // each once
    // In any one-second window: at most the batch's RATE (its sends are paced 1/RATE apart) plus the throttle's
    // RATE (README: at most twice the rate while a backlog begins, the throttle's rate after); +1 for the
    // network's jitter between a send and its receipt.
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((x) => x >= times[i]! && x < times[i]! + 1000).length;
      expect(inWindow, `requests in the second from ${i}`).toBeLessThanOrEqual(2 * RATE + 1);
    }
    // The fan-out's own sends are paced 1/RATE apart: at most RATE (+1 for jitter) in any second.
    const batchTimes = forTag("budget")
      .filter((q) => !viaRuns.has(deliveries.find((d) => d.messageId === q.headers["webhook-id"])!.id))
      .map((q) => q.receivedAt.getTime());
    for (const t0 of batchTimes) {
      const inWindow = batchTimes.filter((x) => x >= t0 && x < t0 + 1000).length;
      expect(inWindow, `fan-out sends in the second from ${t0}`).toBeLessThanOrEqual(RATE + 1);
    }
    // 20 at 5/s with at most 10 in a second cannot all arrive within 1.5 s.
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(1500);
  });

  it("re-checks each webhook before sending: deleted, disabled or unsubscribed → cancelled with the reason, nothing sent", async () => {
    const { createDeliveriesForEvents } = await import("@/lib/delivery/fan-out");
    const { attemptFirstDeliveries } = await import("@/lib/delivery/first-attempts");
    const t = await makeTenant("batch-recheck");
    const [ok, disabled, unsubscribed, deleted] = await Promise.all(
      [0, 1, 2, 3].map(() => seedWebhook(t.workspaceId, { url: `${receiver.url}?recheck` })),
    );
    // The event row only (no publish: no fan-out run), then the deliveries as the fan-out's first step makes them.
    const eventId = newId("evt");
    await db.event.create({
      data: {
        id: eventId,
        workspaceId: t.workspaceId,
        type: "call.ended",
        data: JSON.stringify({ ...example, callId: "recheck-1" }),
        timestamp: new Date(),
      },
    });
    const made = await createDeliveriesForEvents([eventId]);
    expect(made).toHaveLength(4);
    await db.webhook.update({
      where: { id: disabled!.webhook.id },
      data: { isActive: false, disabledReason: "by hand" },
    });
    await db.webhook.update({ where: { id: unsubscribed!.webhook.id }, data: { events: ["call.started"] } });
    await db.webhook.delete({ where: { id: deleted!.webhook.id } });
    const before = receiver.requests.length;
    const out = await attemptFirstDeliveries(made.map((m) => m.deliveryId));
    expect(out).toMatchObject({ succeeded: 1, cancelled: 3, handOff: [] });
    const sent = receiver.requests.slice(before);
    expect(sent).toHaveLength(1);
    const rows = await db.delivery.findMany({ where: { eventId } });
    const byHook = (id: string) => rows.find((r) => r.webhookId === id);
    expect(sent[0]!.headers["webhook-id"]).toBe(byHook(ok!.webhook.id)!.messageId);
    expect(byHook(ok!.webhook.id)).toMatchObject({ status: "succeeded", attemptCount: 1 });
    expect(byHook(disabled!.webhook.id)).toMatchObject({ status: "cancelled", error: "endpoint is disabled: by hand" });
    expect(byHook(unsubscribed!.webhook.id)).toMatchObject({
      status: "cancelled",
      error: "endpoint is no longer subscribed to call.ended",
    });
    const gone = byHook(deleted!.webhook.id);
    if (gone) expect(gone).toMatchObject({ status: "cancelled", error: "webhook was deleted" });
    // Run again (as after a crash): nothing more is sent, nothing changes.
    const again = await attemptFirstDeliveries(made.map((m) => m.deliveryId));
    expect(again).toMatchObject({ succeeded: 0, cancelled: 0, handOff: [] });
    expect(receiver.requests.length).toBe(before + 1);
  });
});
