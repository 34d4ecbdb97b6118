import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as testRoute from "@/app/api/v1/webhooks/[id]/test/route";
import { inngest } from "@/inngest/client";
import { startEmbeddedExecutor, type EmbeddedExecutor } from "@/inngest/embedded/executor";
import { inngestHandler } from "@/inngest/serve";
import { db } from "@/lib/db";
import type { DeliveryView } from "@/lib/delivery/schemas";
import { failUndeliveredForEvent } from "@/lib/delivery/failure";
import { createDeliveriesForEvent } from "@/lib/delivery/fan-out";
import { findStrandedDeliveries, SWEEP_STALE_MS } from "@/lib/delivery/sweep";
import { findEventType } from "@/lib/events/catalog";
import { publishEvent } from "@/lib/events/publish";
import type { Delivery, Webhook } from "@/lib/generated/prisma/client";
import { requestDelivery } from "@/lib/jobs";
import { call, makeTenant, request, type Tenant } from "@/test/support/api";
import { waitFor } from "@/test/support/executor";
import { seedWebhook } from "@/test/support/fixtures";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";

/**
 * The delivery engine against hostile or broken receivers, with real HTTPS
 * receivers and the real functions on the embedded executor: each case
 * counts the POSTs the receiver saw and checks the delivery's final state.
 */

const TIMEOUT_MS = 1000;
let executor: EmbeddedExecutor;
let restore: Array<() => void> = [];

beforeAll(async () => {
  restore = [
    useTestTargets("127.0.0.1"),
    setTestEnv({
      WEBHOOK_RETRY_SCHEDULE: "3,3,3",
      WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      WEBHOOK_DISABLE_AFTER_FAILURES: "1000",
    }),
  ];
  // The functions' own step retries back off 200 ms here (10 s and more by default).
  executor = await startEmbeddedExecutor({ handler: inngestHandler, pollIntervalMs: 100, retryBackoffMs: () => 200 });
});

const receivers: Receiver[] = [];
afterAll(async () => {
  await executor.stop({ timeoutMs: 5000 });
  for (const r of receivers) await r.close();
  for (const undo of restore.reverse()) undo();
});

/** A receiver and a webhook pointing at it, alone in a workspace of its own. */
async function endpoint(
  handler: Parameters<Receiver["setHandler"]>[0],
): Promise<{ r: Receiver; webhook: Webhook; t: Tenant }> {
  const r = await startReceiver(handler);
  receivers.push(r);
  const t = await makeTenant("unhappy");
  const { webhook } = await seedWebhook(t.workspaceId, { url: r.url, events: ["call.ended"] });
  return { r, webhook, t };
}

async function sendTest(t: Tenant, webhook: Webhook): Promise<string> {
  const res = await call<DeliveryView>(
    testRoute.POST,
    request("POST", `/api/v1/webhooks/${webhook.id}/test`, { auth: { key: t.key }, body: { event: "call.ended" } }),
    { id: webhook.id },
  );
  expect(res.status).toBe(202);
  return res.body.data.id;
}

async function publishTo(t: Tenant, webhook: Webhook): Promise<string> {
  await publishEvent(t.workspaceId, { type: "call.ended", data: findEventType("call.ended")!.example });
  const d = await waitFor(
    () => db.delivery.findFirst({ where: { webhookId: webhook.id, kind: "event" } }),
    "the fan-out to make the delivery",
  );
  return d.id;
}

const settled = (id: string, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      const d = await db.delivery.findUnique({ where: { id }, include: { attempts: true } });
      return d && d.status !== "pending" ? d : null;
    },
    `delivery ${id} to settle`,
    timeoutMs,
  );

/** Lets any run that would (wrongly) still send do so before POSTs are counted. */
const quiet = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

describe("receivers whose answers PostgreSQL cannot store as sent", () => {
  it("a 200 with a NUL byte in its body: exactly one POST per test event, every delivery settled", async () => {
    const { r, webhook, t } = await endpoint((_q, res) => void res.writeHead(200).end("ok\u0000but NUL"));
    const ids = [await sendTest(t, webhook), await sendTest(t, webhook), await sendTest(t, webhook)];
    const done = await Promise.all(ids.map((id) => settled(id)));
    await quiet();
    expect(r.requests).toHaveLength(3);
    for (const d of done) {
      expect(d).toMatchObject({ status: "succeeded", statusCode: 200, attemptCount: 1, error: null });
      expect(d.responseBody).toBe("ok\uFFFDbut NUL");
      expect(d.attempts).toHaveLength(1);
    }
  });

  it("invalid UTF-8 is stored with U+FFFD; a huge body is cut at 16 KiB and flagged; a huge header is cut", async () => {
    const { r, webhook, t } = await endpoint((q, res) => {
      if (q.headers["webhook-id"] && r.requests.length === 1) {
        res.writeHead(500, { "x-big": "h".repeat(10_000) });
        res.end(Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0xc3, 0x28, 0x00]));
      } else {
        res.writeHead(200);
        res.end("x".repeat(5 * 1024 * 1024));
      }
    });
    const bad = await settled(await sendTest(t, webhook));
    expect(bad).toMatchObject({ status: "failed", statusCode: 500, error: "endpoint answered 500", attemptCount: 1 });
    expect(bad.responseBody).toBe("ok\uFFFD\uFFFD\uFFFD(\uFFFD");
    expect((bad.responseHeaders as Record<string, string>)["x-big"]).toHaveLength(2048);
    const huge = await settled(await sendTest(t, webhook));
    expect(huge).toMatchObject({ status: "succeeded", responseBodyTruncated: true });
    expect(huge.responseBody).toHaveLength(16 * 1024);
    await quiet();
    expect(r.requests).toHaveLength(2);
  });
});

describe("failures that are not the receiver's", () => {
  it("a step that always throws (an undecryptable secret) ends failed with the reason within the retry budget, sending nothing", async () => {
    const { r, webhook, t } = await endpoint(undefined);
    await db.webhook.update({ where: { id: webhook.id }, data: { secretEncrypted: "v1.garbage.garbage.garbage" } });
    const before = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    const id = await publishTo(t, webhook);
    const d = await settled(id);
    expect(d).toMatchObject({
      status: "failed",
      error: "internal: could not decrypt the signing secret",
      nextAttemptAt: null,
      attemptCount: 0,
    });
    const after = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(after.failureCount).toBe(before.failureCount + 1); // counted in the failure streak
    const run = await waitFor(async () => {
      const rows = await db.executorRun.findMany({ where: { functionId: "akol-webhooks-deliver" } });
      return rows.find((x) => JSON.stringify(x.event).includes(id) && x.status === "failed");
    }, "the deliver run to be failed");
    expect(run.attempt).toBeLessThanOrEqual(4);
    await quiet();
    expect(r.requests).toHaveLength(0);
  });

  it("an event send that fails after the row is written: the sweep requests it once, and it is delivered once", async () => {
    const { r, webhook, t } = await endpoint(undefined);
    const send = vi.spyOn(inngest, "send").mockRejectedValueOnce(new Error("event API unreachable"));
    const id = await sendTest(t, webhook); // the API still answers: the row exists and the sweep heals it
    expect(send).toHaveBeenCalledTimes(1);
    send.mockRestore();
    await quiet(1000);
    expect(r.requests).toHaveLength(0);
    expect((await db.delivery.findUniqueOrThrow({ where: { id } })).status).toBe("pending");

    expect(await findStrandedDeliveries(new Date())).toEqual([]); // not stale yet
    const later = new Date(Date.now() + SWEEP_STALE_MS + 1000);
    const stranded = (await findStrandedDeliveries(later)).filter((s) => s.data.deliveryId === id);
    expect(stranded).toHaveLength(1);
    // Two sweeps in one period request it twice, with the same event id: one run.
    for (let sweep = 0; sweep < 2; sweep++) await requestDelivery(stranded[0]!.data, stranded[0]!.key);
    const d = await settled(id);
    expect(d).toMatchObject({ status: "succeeded", attemptCount: 1 });
    await quiet();
    expect(r.requests).toHaveLength(1);
    expect(await findStrandedDeliveries(later)).toEqual([]);
  });
});

describe("functions that cannot finish", () => {
  it("deliver and fan-out have an onFailure handler, and the sweep is a cron (what a real Inngest server registers too)", () => {
    const ids = executor.functions.map((f) => f.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        "akol-webhooks-deliver",
        "akol-webhooks-deliver-failure",
        "akol-webhooks-fan-out",
        "akol-webhooks-fan-out-failure",
        "akol-webhooks-sweep-stranded-deliveries",
      ]),
    );
    expect(executor.functions.find((f) => f.id === "akol-webhooks-deliver")?.maxAttempts).toBe(4);
    expect(executor.functions.find((f) => f.id === "akol-webhooks-sweep-stranded-deliveries")?.crons).toHaveLength(1);
  });

  it("fan-out's failure settles the deliveries it made and never attempted: failed with the reason, counted", async () => {
    const t = await makeTenant("fanout-failure");
    const { webhook } = await seedWebhook(t.workspaceId, { events: ["call.ended"] });
    const eventId = "evt_fanoutfailure0001";
    await db.event.create({
      data: { id: eventId, workspaceId: t.workspaceId, type: "call.ended", data: {}, timestamp: new Date() },
    });
    const [made] = await createDeliveriesForEvent(eventId); // made, but (as if the send failed) never requested
    expect(await failUndeliveredForEvent(eventId, "fan-out failed: event API unreachable")).toBe(1);
    expect(await db.delivery.findUniqueOrThrow({ where: { id: made!.deliveryId } })).toMatchObject({
      status: "failed",
      error: "internal: fan-out failed: event API unreachable",
      nextAttemptAt: null,
    });
    expect((await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).failureCount).toBe(1);
    expect(await failUndeliveredForEvent(eventId, "again")).toBe(0); // idempotent: settled once
    expect((await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).failureCount).toBe(1);
  });
});

describe("receivers that set the pace", () => {
  it("Retry-After: 0 on 503 never brings a retry sooner than the schedule (3,3,3): 4 POSTs ≥ 2.7 s apart, then failed", async () => {
    const { r, webhook, t } = await endpoint((_q, res) => void res.writeHead(503, { "retry-after": "0" }).end("busy"));
    const d = await settled(await publishTo(t, webhook), 40_000);
    expect(d).toMatchObject({ status: "failed", attemptCount: 4, statusCode: 503, error: "endpoint answered 503" });
    await quiet();
    expect(r.requests).toHaveLength(4);
    const at = r.requests.map((q) => q.receivedAt.getTime());
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(2700);
  });

  it("a huge Retry-After on 429 delays the next attempt to the 24 h cap, and not beyond; one POST meanwhile", async () => {
    const { r, webhook, t } = await endpoint(
      (_q, res) => void res.writeHead(429, { "retry-after": "999999999" }).end(),
    );
    const id = await publishTo(t, webhook);
    const d = await waitFor(async () => {
      const x = await db.delivery.findUnique({ where: { id } });
      return x && x.attemptCount === 1 ? x : null;
    }, "the first attempt");
    expect(d.status).toBe("pending");
    const wait = d.nextAttemptAt!.getTime() - Date.now();
    expect(wait).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(wait).toBeLessThanOrEqual(24 * 3600_000);
    await quiet(4000); // past the 3 s the schedule alone would wait
    expect(r.requests).toHaveLength(1);
  });

  it("a 200 slower than the timeout is a timeout: one POST per attempt, then failed with the reason", async () => {
    const { r, webhook, t } = await endpoint(async (_q, res) => {
      await new Promise((w) => setTimeout(w, TIMEOUT_MS * 2.5));
      res.writeHead(200).end("too late");
    });
    const d: Delivery = await settled(await sendTest(t, webhook));
    expect(d).toMatchObject({ status: "failed", attemptCount: 1, success: false });
    expect(d.error).toBe(`timeout: No complete response within ${TIMEOUT_MS} ms`);
    await quiet(TIMEOUT_MS * 3);
    expect(r.requests).toHaveLength(1);
  });
});
