import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as listRoute from "@/app/api/v1/webhooks/route";
import * as itemRoute from "@/app/api/v1/webhooks/[id]/route";
import * as rotateRoute from "@/app/api/v1/webhooks/[id]/rotate-secret/route";
import * as testRoute from "@/app/api/v1/webhooks/[id]/test/route";
import * as deliveriesRoute from "@/app/api/v1/webhooks/[id]/deliveries/route";
import * as deliveryRoute from "@/app/api/v1/webhooks/[id]/deliveries/[deliveryId]/route";
import * as replayRoute from "@/app/api/v1/webhooks/[id]/deliveries/[deliveryId]/replay/route";
import type { EmbeddedExecutor } from "@/inngest/embedded/executor";
import { ensureEmbeddedExecutor } from "@/inngest/embedded/start";
import { settledDelivery, verifySigned } from "@/test/support/deliveries";
import { waitFor } from "@/test/support/executor";
import { db } from "@/lib/db";
import type { DeliveryView } from "@/lib/delivery/schemas";
import { purgeExpired } from "@/lib/delivery/retention";
import { findEventType } from "@/lib/events/catalog";
import { publishEvent } from "@/lib/events/publish";
import { call, makeTenant, request, type Tenant } from "@/test/support/api";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";
import type { WebhookView } from "@/lib/webhooks/schemas";

let executor: EmbeddedExecutor | null;
let restoreTargets: () => void;
let restoreSchedule: () => void;
let a: Tenant;
let b: Tenant;

beforeAll(async () => {
  restoreTargets = useTestTargets("127.0.0.1");
  restoreSchedule = setTestEnv({ WEBHOOK_RETRY_SCHEDULE: "1,1,1", WEBHOOK_DISABLE_AFTER_FAILURES: "3" });
  executor = await ensureEmbeddedExecutor({ pollIntervalMs: 100 });
  a = await makeTenant("a");
  b = await makeTenant("b");
});
afterAll(async () => {
  await executor?.stop({ timeoutMs: 5000 });
  restoreSchedule();
  restoreTargets();
});

const receivers: Receiver[] = [];
async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}
afterAll(async () => {
  for (const r of receivers) await r.close();
});

const CALL_ENDED = findEventType("call.ended")!.example;

async function subscribe(t: Tenant, url: string, events: string[]): Promise<WebhookView> {
  const res = await call<WebhookView>(
    listRoute.POST,
    request("POST", "/api/v1/webhooks", { auth: { key: t.key }, body: { url, events } }),
  );
  expect(res.status).toBe(201);
  return res.body.data;
}

const eventsOf = (r: Receiver) => r.requests.filter((q) => !q.body.includes('"webhook.probe"'));

const deliveriesOf = (t: Tenant, webhookId: string, query = "") =>
  call<DeliveryView[]>(
    deliveriesRoute.GET,
    request("GET", `/api/v1/webhooks/${webhookId}/deliveries${query}`, { auth: { key: t.key } }),
    { id: webhookId },
  );

/** The webhook's newest delivery, once fan-out (asynchronous) has made it. */
const newestDelivery = (t: Tenant, webhookId: string) =>
  waitFor(async () => (await deliveriesOf(t, webhookId)).body.data[0], `a delivery for ${webhookId}`);

describe("publish and fan-out", () => {
  it("reaches every subscribed active webhook and only those, each verifiable with standardwebhooks", async () => {
    const [r1, r2, r3, r4] = [await receiver(), await receiver(), await receiver(), await receiver()];
    const w1 = await subscribe(a, r1.url, ["call.ended"]);
    const w2 = await subscribe(a, r2.url, ["call.ended", "call.missed"]);
    await subscribe(a, r3.url, ["call.missed"]); // not subscribed to call.ended
    const w4 = await subscribe(a, r4.url, ["call.ended"]);
    await call(
      itemRoute.PATCH,
      request("PATCH", `/api/v1/webhooks/${w4.id}`, { auth: { key: a.key }, body: { isActive: false } }),
      { id: w4.id },
    );
    const rb = await receiver();
    await subscribe(b, rb.url, ["call.ended"]); // another workspace

    const res = await call<{ id: string; webhooks: number }>(
      eventsRoute.POST,
      request("POST", "/api/v1/events", {
        auth: { key: a.key },
        body: { type: "call.ended", data: CALL_ENDED, timestamp: "2026-04-18T14:23:10.000Z" },
      }),
    );
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ id: expect.stringMatching(/^evt_/), webhooks: 2 });

    await waitFor(() => eventsOf(r1).length === 1 && eventsOf(r2).length === 1, "both deliveries");
    for (const [r, w] of [
      [r1, w1],
      [r2, w2],
    ] as const) {
      const q = eventsOf(r)[0]!;
      expect(verifySigned(w.secret, q)).toEqual({
        type: "call.ended",
        timestamp: "2026-04-18T14:23:10.000Z",
        data: CALL_ENDED,
      });
      expect(q.headers["webhook-id"]).toMatch(/^msg_/);
      expect(q.headers["content-type"]).toBe("application/json");
    }
    expect(eventsOf(r3)).toHaveLength(0);
    expect(eventsOf(r4)).toHaveLength(0);
    expect(eventsOf(rb)).toHaveLength(0);

    const d = await newestDelivery(a, w1.id);
    const done = await settledDelivery(d.id);
    expect(done).toMatchObject({ status: "succeeded", success: true, statusCode: 200, attemptCount: 1 });
    const view = (await deliveriesOf(a, w1.id)).body.data[0]!;
    expect(view).toMatchObject({
      kind: "event",
      eventType: "call.ended",
      success: true,
      statusCode: 200,
      response: { status: 200, body: "ok", bodyTruncated: false },
    });
    expect(view.payload).toEqual({ type: "call.ended", timestamp: "2026-04-18T14:23:10.000Z", data: CALL_ENDED });
    expect(view.messageId).toBe(eventsOf(r1)[0]!.headers["webhook-id"]);
    expect(view.attempts).toHaveLength(1);
    expect((await db.webhook.findUniqueOrThrow({ where: { id: w1.id } })).lastTriggeredAt).not.toBeNull();
  });

  it("validates data against the catalog schema and returns the first answer for a repeated Idempotency-Key", async () => {
    const bad = await call(
      eventsRoute.POST,
      request("POST", "/api/v1/events", { auth: { key: a.key }, body: { type: "call.ended", data: { callId: 5 } } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error?.details?.map((d) => d.field)).toContain("data.callId");
    const unknown = await call(
      eventsRoute.POST,
      request("POST", "/api/v1/events", { auth: { key: a.key }, body: { type: "call.nope", data: {} } }),
    );
    expect(unknown.status).toBe(400);

    const before = await db.event.count({ where: { workspaceId: a.workspaceId } });
    const send = (body: unknown) =>
      call<{ id: string }>(
        eventsRoute.POST,
        request("POST", "/api/v1/events", { auth: { key: a.key }, body, headers: { "idempotency-key": "order-42" } }),
      );
    const first = await send({ type: "call.missed", data: findEventType("call.missed")!.example });
    const again = await send({ type: "call.missed", data: findEventType("call.missed")!.example });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await db.event.count({ where: { workspaceId: a.workspaceId } })).toBe(before + 1);
    const different = await send({
      type: "call.missed",
      data: { ...(findEventType("call.missed")!.example as Record<string, unknown>), reason: "busy" },
    });
    expect(different.status).toBe(409);
  });
});

describe("retries and status handling", () => {
  it("a receiver failing twice then succeeding gets 3 attempts with one webhook-id", async () => {
    const r = await receiver();
    const w = await subscribe(a, r.url, ["call.transferred"]);
    let n = 0;
    r.setHandler((q, res) => {
      if (q.body.includes("webhook.probe")) return void res.writeHead(200).end();
      n++;
      res.writeHead(n <= 2 ? 500 : 200).end(n <= 2 ? "not yet" : "ok");
    });
    await publishEvent(a.workspaceId, { type: "call.transferred", data: findEventType("call.transferred")!.example });
    const d = await newestDelivery(a, w.id);
    const done = await settledDelivery(d!.id);
    expect(done.status).toBe("succeeded");
    const got = eventsOf(r);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((q) => q.headers["webhook-id"])).size).toBe(1);
    for (const q of got) verifySigned(w.secret, q);
    const view = (
      await call<DeliveryView>(
        deliveryRoute.GET,
        request("GET", `/api/v1/webhooks/${w.id}/deliveries/${d!.id}`, { auth: { key: a.key } }),
        { id: w.id, deliveryId: d!.id },
      )
    ).body.data;
    expect(view.attempts.map((x) => x.statusCode)).toEqual([500, 500, 200]);
    expect(view.attempts[1]!.durationMs).toBeGreaterThanOrEqual(0);
    // ~1 s between attempts (the fast test schedule, ±10 % jitter)
    const gap = got[1]!.receivedAt.getTime() - got[0]!.receivedAt.getTime();
    expect(gap).toBeGreaterThanOrEqual(850);
    expect((await db.webhook.findUniqueOrThrow({ where: { id: w.id } })).failureCount).toBe(0);
  });

  it("honours Retry-After on 429", async () => {
    const r = await receiver();
    const w = await subscribe(a, r.url, ["call.started"]);
    let n = 0;
    r.setHandler((q, res) => {
      if (q.body.includes("webhook.probe")) return void res.writeHead(200).end();
      n++;
      if (n === 1) return void res.writeHead(429, { "retry-after": "3" }).end("slow down");
      res.writeHead(200).end("ok");
    });
    await publishEvent(a.workspaceId, { type: "call.started", data: findEventType("call.started")!.example });
    const d = await newestDelivery(a, w.id);
    await settledDelivery(d!.id);
    const got = eventsOf(r);
    expect(got).toHaveLength(2);
    expect(got[1]!.receivedAt.getTime() - got[0]!.receivedAt.getTime()).toBeGreaterThanOrEqual(2900);
  });

  it("410 Gone stops retrying and disables the endpoint with the reason", async () => {
    const r = await receiver();
    const w = await subscribe(a, r.url, ["voicemail.received"]);
    r.setHandler((q, res) => {
      res.writeHead(q.body.includes("webhook.probe") ? 200 : 410).end();
    });
    await publishEvent(a.workspaceId, {
      type: "voicemail.received",
      data: findEventType("voicemail.received")!.example,
    });
    const d = await newestDelivery(a, w.id);
    const done = await settledDelivery(d!.id);
    expect(done).toMatchObject({ status: "failed", statusCode: 410, attemptCount: 1 });
    const hook = await db.webhook.findUniqueOrThrow({ where: { id: w.id } });
    expect(hook.isActive).toBe(false);
    expect(hook.disabledReason).toMatch(/410/);
    expect(eventsOf(r)).toHaveLength(1);
  });

  it("exhausting the schedule fails the delivery, counts the failure, and enough failures disable the endpoint", async () => {
    const r = await receiver();
    const w = await subscribe(a, r.url, ["appointment.cancelled"]);
    r.setHandler((q, res) => {
      res.writeHead(q.body.includes("webhook.probe") ? 200 : 503).end("down");
    });
    const data = findEventType("appointment.cancelled")!.example;
    for (let i = 0; i < 3; i++) await publishEvent(a.workspaceId, { type: "appointment.cancelled", data });
    await waitFor(
      async () => (await db.delivery.count({ where: { webhookId: w.id, status: "failed" } })) === 3,
      "3 failed deliveries",
      30_000,
    );
    expect(eventsOf(r)).toHaveLength(12); // 3 deliveries × 4 attempts
    const hook = await db.webhook.findUniqueOrThrow({ where: { id: w.id } });
    expect(hook.failureCount).toBe(3);
    expect(hook.isActive).toBe(false);
    expect(hook.disabledReason).toBe("3 consecutive deliveries failed");
    const one = (await deliveriesOf(a, w.id)).body.data[0]!;
    expect(one).toMatchObject({ status: "failed", success: false, nextAttemptAt: null, statusCode: 503 });
    expect(one.attempts).toHaveLength(4);
  });

  it("deleting a webhook stops its scheduled retries at once", async () => {
    const restore = setTestEnv({ WEBHOOK_RETRY_SCHEDULE: "2,2,2" });
    try {
      const r = await receiver();
      const w = await subscribe(a, r.url, ["call.missed"]);
      r.setHandler((q, res) => {
        res.writeHead(q.body.includes("webhook.probe") ? 200 : 500).end();
      });
      await publishEvent(a.workspaceId, { type: "call.missed", data: findEventType("call.missed")!.example });
      await waitFor(() => eventsOf(r).length === 1, "first attempt");
      const del = await call(
        itemRoute.DELETE,
        request("DELETE", `/api/v1/webhooks/${w.id}`, { auth: { key: a.key } }),
        { id: w.id },
      );
      expect(del.status).toBe(200);
      await new Promise((res) => setTimeout(res, 3500));
      expect(eventsOf(r)).toHaveLength(1);
      const d = await db.delivery.findFirstOrThrow({ where: { webhookId: w.id } });
      expect(d).toMatchObject({ status: "cancelled", nextAttemptAt: null, attemptCount: 1 });
      // its log is still readable until retention
      expect((await deliveriesOf(a, w.id)).body.data).toHaveLength(1);
      expect((await deliveriesOf(b, w.id)).status).toBe(404);
    } finally {
      restore();
    }
  });
});

describe("test events and replay", () => {
  it("sends the catalog example of any type as kind test, never retried", async () => {
    const r = await receiver();
    const w = await subscribe(a, r.url, ["call.ended"]);
    const res = await call<DeliveryView>(
      testRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/test`, {
        auth: { key: a.key },
        body: { event: "appointment.scheduled" },
      }),
      { id: w.id },
    );
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ kind: "test", eventType: "appointment.scheduled", status: "pending" });
    const done = await settledDelivery(res.body.data.id);
    expect(done.status).toBe("succeeded");
    const body = verifySigned(w.secret, eventsOf(r)[0]!);
    expect(body).toMatchObject({
      type: "appointment.scheduled",
      test: true,
      data: findEventType("appointment.scheduled")!.example,
    });

    r.setHandler((q, res2) => {
      res2.writeHead(q.body.includes("webhook.probe") ? 200 : 500).end("broken");
    });
    const failing = await call<DeliveryView>(
      testRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/test`, { auth: { key: a.key }, body: { event: "call.ended" } }),
      { id: w.id },
    );
    const f = await settledDelivery(failing.body.data.id);
    expect(f).toMatchObject({ status: "failed", attemptCount: 1, nextAttemptAt: null });
    await new Promise((res2) => setTimeout(res2, 1500));
    expect(eventsOf(r)).toHaveLength(2);

    const bad = await call(
      testRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/test`, { auth: { key: a.key }, body: { event: "nope" } }),
      { id: w.id },
    );
    expect(bad.status).toBe(400);
    const other = await call(
      testRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/test`, { auth: { key: b.key }, body: { event: "call.ended" } }),
      { id: w.id },
    );
    expect(other.status).toBe(404);
  });

  it("replays the original payload with the same webhook-id, current URL and current secret, once", async () => {
    const r = await receiver();
    r.setHandler((q, res) => {
      res.writeHead(q.body.includes("webhook.probe") ? 200 : 500).end("nope");
    });
    const w = await subscribe(a, r.url, ["appointment.rescheduled"]);
    await publishEvent(a.workspaceId, {
      type: "appointment.rescheduled",
      data: findEventType("appointment.rescheduled")!.example,
    });
    const orig = await newestDelivery(a, w.id);
    const failed = await settledDelivery(orig!.id);
    expect(failed.attemptCount).toBe(4);

    // fix the endpoint: move to a new receiver, rotate the secret
    const fixed = await receiver();
    await call(
      itemRoute.PATCH,
      request("PATCH", `/api/v1/webhooks/${w.id}`, { auth: { key: a.key }, body: { url: fixed.url, isActive: true } }),
      { id: w.id },
    );
    const newSecret = (
      await call<WebhookView>(
        rotateRoute.POST,
        request("POST", `/api/v1/webhooks/${w.id}/rotate-secret`, { auth: { key: a.key } }),
        { id: w.id },
      )
    ).body.data.secret;

    const res = await call<DeliveryView>(
      replayRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/deliveries/${orig!.id}/replay`, { auth: { key: a.key } }),
      { id: w.id, deliveryId: orig!.id },
    );
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ kind: "replay", replayOf: orig!.id, messageId: orig!.messageId });
    const done = await settledDelivery(res.body.data.id);
    expect(done.status).toBe("succeeded");
    const q = eventsOf(fixed)[0]!;
    expect(q.headers["webhook-id"]).toBe(orig!.messageId);
    expect(q.body).toBe(failed.payload);
    expect(() => verifySigned(newSecret, q)).not.toThrow();
    expect(() => verifySigned(w.secret, q)).toThrow();
    expect((await db.delivery.findUniqueOrThrow({ where: { id: orig!.id } })).attemptCount).toBe(4);
    expect(eventsOf(fixed)).toHaveLength(1);

    for (const [t, hook, dlv] of [
      [b, w.id, orig!.id],
      [a, w.id, "dlv_0000000000nothing"],
    ] as const) {
      const nf = await call(
        replayRoute.POST,
        request("POST", `/api/v1/webhooks/${hook}/deliveries/${dlv}/replay`, { auth: { key: t.key } }),
        { id: hook, deliveryId: dlv },
      );
      expect(nf.status).toBe(404);
    }
    // another webhook of the same workspace cannot replay this delivery
    const w2 = await subscribe(a, fixed.url, ["call.ended"]);
    const cross = await call(
      replayRoute.POST,
      request("POST", `/api/v1/webhooks/${w2.id}/deliveries/${orig!.id}/replay`, { auth: { key: a.key } }),
      { id: w2.id, deliveryId: orig!.id },
    );
    expect(cross.status).toBe(404);
  });
});

describe("delivery log", () => {
  it("filters, paginates newest first and validates its query exactly", async () => {
    const r = await receiver();
    const w = await subscribe(a, r.url, ["call.ended"]);
    const base = Date.now() - 3600_000;
    await db.delivery.createMany({
      data: Array.from({ length: 25 }, (_, i) => ({
        id: `dlv_log${String(i).padStart(12, "0")}`,
        workspaceId: a.workspaceId,
        webhookId: w.id,
        messageId: `msg_log${i}`,
        eventType: i % 5 === 0 ? "call.missed" : "call.ended",
        kind: "event" as const,
        payload: "{}",
        url: r.url,
        status: i % 3 === 0 ? ("failed" as const) : ("succeeded" as const),
        success: i % 3 !== 0,
        createdAt: new Date(base + i * 1000),
      })),
    });
    const all = await deliveriesOf(a, w.id, "?limit=10");
    expect(all.body.pagination).toEqual({ page: 1, limit: 10, total: 25, totalPages: 3 });
    expect(all.body.data.map((d) => d.messageId)).toEqual(Array.from({ length: 10 }, (_, i) => `msg_log${24 - i}`));
    const p3 = await deliveriesOf(a, w.id, "?limit=10&page=3");
    expect(p3.body.data.map((d) => d.messageId)).toEqual(["msg_log4", "msg_log3", "msg_log2", "msg_log1", "msg_log0"]);
    const failed = await deliveriesOf(a, w.id, "?success=false&limit=100");
    expect(failed.body.data.map((d) => d.messageId)).toEqual([
      "msg_log24",
      "msg_log21",
      "msg_log18",
      "msg_log15",
      "msg_log12",
      "msg_log9",
      "msg_log6",
      "msg_log3",
      "msg_log0",
    ]);
    expect(failed.body.pagination?.total).toBe(9);
    const ok = await deliveriesOf(a, w.id, "?success=true");
    expect(ok.body.pagination).toEqual({ page: 1, limit: 20, total: 16, totalPages: 1 });
    const missed = await deliveriesOf(a, w.id, "?eventType=call.missed&success=false");
    expect(missed.body.data.map((d) => d.messageId)).toEqual(["msg_log15", "msg_log0"]);
    const beyond = await deliveriesOf(a, w.id, "?page=9");
    expect(beyond.body.data).toEqual([]);
    for (const q of ["?limit=0", "?limit=101", "?page=0", "?success=maybe", "?limit=abc", "?eventType=x", "?foo=1"]) {
      const res = await deliveriesOf(a, w.id, q);
      expect(res.status, q).toBe(400);
      expect(res.body.error?.code).toBe("validation_error");
    }
    expect((await deliveriesOf(b, w.id)).status).toBe(404);
  });

  it("retention purges logs older than the window, including a deleted webhook's", async () => {
    const old = new Date(Date.now() - 31 * 86_400_000);
    await db.delivery.createMany({
      data: [
        {
          id: "dlv_oldgone000001",
          workspaceId: a.workspaceId,
          webhookId: "whk_deleted00000001",
          messageId: "msg_o1",
          eventType: "call.ended",
          kind: "event",
          payload: "{}",
          url: "https://x.example",
          createdAt: old,
        },
        {
          id: "dlv_fresh0000001",
          workspaceId: a.workspaceId,
          webhookId: "whk_deleted00000001",
          messageId: "msg_o2",
          eventType: "call.ended",
          kind: "event",
          payload: "{}",
          url: "https://x.example",
        },
      ],
    });
    await db.deliveryAttempt.create({
      data: { id: "att_old1", deliveryId: "dlv_oldgone000001", attemptNumber: 1, startedAt: old, durationMs: 5 },
    });
    const res = await purgeExpired();
    expect(res.deliveries).toBeGreaterThanOrEqual(1);
    expect(await db.delivery.findUnique({ where: { id: "dlv_oldgone000001" } })).toBeNull();
    expect(await db.deliveryAttempt.findUnique({ where: { id: "att_old1" } })).toBeNull();
    expect(await db.delivery.findUnique({ where: { id: "dlv_fresh0000001" } })).not.toBeNull();
  });
});
