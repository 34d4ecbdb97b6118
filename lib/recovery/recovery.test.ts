import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as replayRoute from "@/app/api/v1/webhooks/[id]/deliveries/[deliveryId]/replay/route";
import * as recoveryRoute from "@/app/api/v1/webhooks/[id]/recoveries/[recoveryId]/route";
import * as recoveriesRoute from "@/app/api/v1/webhooks/[id]/recoveries/route";
import * as recoverRoute from "@/app/api/v1/webhooks/[id]/recover/route";
import * as operationalRoute from "@/app/api/v1/operational-webhook/route";
import * as itemRoute from "@/app/api/v1/webhooks/[id]/route";
import { startEmbeddedExecutor, type EmbeddedExecutor } from "@/inngest/embedded/executor";
import { inngestHandler } from "@/inngest/serve";
import { db } from "@/lib/db";
import { purgeExpired } from "@/lib/delivery/retention";
import type { DeliveryView } from "@/lib/delivery/schemas";
import { findEventType } from "@/lib/events/catalog";
import { publishEvent } from "@/lib/events/publish";
import type { Webhook } from "@/lib/generated/prisma/client";
import type { RecoveryView } from "@/lib/recovery/schemas";
import { call, makeTenant, request, type Tenant } from "@/test/support/api";
import { settledDelivery, verifySigned } from "@/test/support/deliveries";
import { waitFor } from "@/test/support/executor";
import { seedDelivery, seedRecovery, seedWebhook } from "@/test/support/fixtures";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";

/**
 * Replays and bulk recovery (issue 14, items 0, 1 and 4) with real HTTPS
 * receivers and the real functions on the embedded executor.
 */

let executor: EmbeddedExecutor;
let restore: Array<() => void> = [];
const receivers: Receiver[] = [];

beforeAll(async () => {
  restore = [
    useTestTargets("127.0.0.1"),
    setTestEnv({
      WEBHOOK_RETRY_SCHEDULE: "1",
      WEBHOOK_TIMEOUT_MS: "2000",
      // Two counted failures in a row would disable: a replay that counted would show.
      WEBHOOK_DISABLE_AFTER_FAILURES: "2",
      API_RATE_LIMIT_PER_MINUTE: "100000",
    }),
  ];
  executor = await startEmbeddedExecutor({ handler: inngestHandler, pollIntervalMs: 100, retryBackoffMs: () => 200 });
});
afterAll(async () => {
  await executor.stop({ timeoutMs: 5000 });
  for (const r of receivers) await r.close();
  for (const undo of restore.reverse()) undo();
});

/**
 * A receiver that answers `status()` to every event (probes always 200) and
 * counts the POSTs per webhook-id, and a webhook of a workspace of its own.
 */
async function endpoint(status: () => number) {
  const seen = new Map<string, number>();
  const r = await startReceiver((q, res) => {
    if (q.body.includes("webhook.probe")) return void res.writeHead(200).end();
    const id = String(q.headers["webhook-id"]);
    seen.set(id, (seen.get(id) ?? 0) + 1);
    res.writeHead(status()).end();
  });
  receivers.push(r);
  const t = await makeTenant("recovery");
  const { webhook, secret } = await seedWebhook(t.workspaceId, { url: r.url, events: ["call.ended"] });
  return { r, t, webhook, secret, seen };
}

async function publishAndSettle(t: Tenant, webhook: Webhook, n: number): Promise<string[]> {
  const before = await db.delivery.count({ where: { webhookId: webhook.id, kind: "event" } });
  for (let i = 0; i < n; i++)
    await publishEvent(t.workspaceId, { type: "call.ended", data: findEventType("call.ended")!.example });
  const rows = await waitFor(
    async () => {
      const all = await db.delivery.findMany({
        where: { webhookId: webhook.id, kind: "event" },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      return all.length === before + n && all.every((d) => d.status !== "pending") ? all : null;
    },
    `${n} deliveries to settle`,
    30_000,
  );
  return rows.slice(before).map((d) => d.id);
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

async function recover(t: Tenant, webhookId: string, body: unknown) {
  return call<RecoveryView>(
    recoverRoute.POST,
    request("POST", `/api/v1/webhooks/${webhookId}/recover`, { auth: { key: t.key }, body }),
    { id: webhookId },
  );
}

async function getRecovery(t: Tenant, webhookId: string, recoveryId: string) {
  return call<RecoveryView>(
    recoveryRoute.GET,
    request("GET", `/api/v1/webhooks/${webhookId}/recoveries/${recoveryId}`, { auth: { key: t.key } }),
    { id: webhookId, recoveryId },
  );
}

const finished = (t: Tenant, webhookId: string, recoveryId: string, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      const res = await getRecovery(t, webhookId, recoveryId);
      return res.body.data.status !== "running" ? res.body.data : null;
    },
    `recovery ${recoveryId} to finish`,
    timeoutMs,
  );

describe("replays never move retry counters", () => {
  it("a failed replay leaves failureCount and failingSince alone; a 410 still disables; a success ends the streak", async () => {
    let answer = 500;
    const { t, webhook } = await endpoint(() => answer);
    const [id] = await publishAndSettle(t, webhook, 1);
    const after = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(after).toMatchObject({ failureCount: 1, isActive: true });
    expect(after.failingSince).not.toBeNull();

    const replay = async () => {
      const res = await call<DeliveryView>(
        replayRoute.POST,
        request("POST", `/api/v1/webhooks/${webhook.id}/deliveries/${id}/replay`, { auth: { key: t.key } }),
        { id: webhook.id, deliveryId: id! },
      );
      expect(res.status).toBe(202);
      return settledDelivery(res.body.data.id);
    };

    // Twice: each would be the streak's second failure (WEBHOOK_DISABLE_AFTER_FAILURES=2) if it counted.
    for (let i = 0; i < 2; i++) {
      const failed = await replay();
      expect(failed).toMatchObject({ status: "failed", kind: "replay", attemptCount: 1, statusCode: 500 });
      const w = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
      expect(w).toMatchObject({ failureCount: 1, failingSince: after.failingSince, isActive: true, disabledAt: null });
    }
    expect(await db.deliveryAttempt.count({ where: { delivery: { replayOfId: id } } })).toBe(2);

    answer = 200;
    expect((await replay()).status).toBe("succeeded");
    expect(await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } })).toMatchObject({
      failureCount: 0,
      failingSince: null,
      isActive: true,
    });

    answer = 410;
    expect((await replay()).status).toBe("failed");
    const gone = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(gone).toMatchObject({ failureCount: 0, failingSince: null, isActive: false });
    expect(gone.disabledReason).toMatch(/410/);
  }, 60_000);
});

describe("bulk recovery", () => {
  it("an endpoint down for N events, then up: recover sends exactly the failed ones, once each, with their webhook-ids", async () => {
    let up = false;
    const { r, t, webhook, secret, seen } = await endpoint(() => (up ? 200 : 503));
    // Keeps it active through the outage (WEBHOOK_DISABLE_AFTER_FAILURES is 2 in this file).
    await db.webhook.update({ where: { id: webhook.id }, data: { failureCount: -1000 } });
    const N = 7;
    const failedIds = await publishAndSettle(t, webhook, N);
    up = true;
    const delivered = await publishAndSettle(t, webhook, 2); // after the outage: succeeded, not recovered
    // One failed delivery was already replayed successfully by hand: recovery leaves it out.
    const manual = await call<DeliveryView>(
      replayRoute.POST,
      request("POST", `/api/v1/webhooks/${webhook.id}/deliveries/${failedIds[0]}/replay`, { auth: { key: t.key } }),
      { id: webhook.id, deliveryId: failedIds[0]! },
    );
    expect((await settledDelivery(manual.body.data.id)).status).toBe("succeeded");
    // A failed delivery before the window, and another endpoint's failure in it: both left alone.
    const old = await seedDelivery(webhook);
    await db.delivery.update({ where: { id: old.id }, data: { createdAt: new Date(Date.now() - 3 * 3600_000) } });
    const other = await seedWebhook(t.workspaceId, { url: r.url });
    const otherFailure = await seedDelivery(other.webhook);

    const originals = await db.delivery.findMany({ where: { id: { in: failedIds } }, orderBy: { createdAt: "asc" } });
    expect(originals.every((d) => d.status === "failed")).toBe(true);
    const expected = originals.filter((d) => d.id !== failedIds[0]);
    const requestsBefore = new Map(seen);

    const preview = await call<{ total: number }>(
      recoverRoute.GET,
      request("GET", `/api/v1/webhooks/${webhook.id}/recover?since=${encodeURIComponent(ago(3600_000))}`, {
        auth: { key: t.key },
      }),
      { id: webhook.id },
    );
    expect(preview.status).toBe(200);
    expect(preview.body.data.total).toBe(N - 1);

    const started = await recover(t, webhook.id, { since: ago(3600_000) });
    expect(started.status).toBe(202);
    expect(started.body.data).toMatchObject({ status: "running", total: N - 1, webhookId: webhook.id });
    const done = await finished(t, webhook.id, started.body.data.id);
    expect(done).toMatchObject({ status: "completed", total: N - 1, sent: N - 1, succeeded: N - 1, failed: 0 });
    expect(done.sent).toBe(done.succeeded + done.failed);

    // Exactly the expected ones, once each, with their original webhook-ids and payloads, signed with the secret.
    const recovered = r.requests.filter((q) => !q.body.includes("webhook.probe")).slice(-(N - 1));
    for (const d of expected) expect((seen.get(d.messageId) ?? 0) - (requestsBefore.get(d.messageId) ?? 0)).toBe(1);
    expect(new Set(recovered.map((q) => String(q.headers["webhook-id"])))).toEqual(
      new Set(expected.map((d) => d.messageId)),
    );
    for (const q of recovered) {
      const d = expected.find((e) => e.messageId === q.headers["webhook-id"])!;
      expect(q.body).toBe(d.payload);
      expect(() => verifySigned(secret, q)).not.toThrow();
    }
    for (const id of [...delivered, failedIds[0]!, old.id]) {
      const d = await db.delivery.findUniqueOrThrow({ where: { id } });
      expect(seen.get(d.messageId) ?? 0).toBe(requestsBefore.get(d.messageId) ?? 0);
    }
    expect(await db.delivery.count({ where: { replayOfId: otherFailure.id } })).toBe(0);
    const replays = await db.delivery.findMany({ where: { recoveryId: started.body.data.id } });
    expect(replays.map((d) => d.replayOfId).sort()).toEqual(expected.map((d) => d.id).sort());
    expect(replays.every((d) => d.kind === "replay" && d.status === "succeeded" && d.url === webhook.url)).toBe(true);

    // Nothing left to recover in that window now.
    const again = await recover(t, webhook.id, { since: ago(3600_000) });
    expect(again.status).toBe(202);
    expect((await finished(t, webhook.id, again.body.data.id)).total).toBe(0);

    const list = await call<RecoveryView[]>(
      recoveriesRoute.GET,
      request("GET", `/api/v1/webhooks/${webhook.id}/recoveries`, { auth: { key: t.key } }),
      { id: webhook.id },
    );
    expect(list.body.data.map((x) => [x.id, x.total, x.succeeded])).toEqual([
      [again.body.data.id, 0, 0],
      [started.body.data.id, N - 1, N - 1],
    ]);
  }, 90_000);

  it("a finished recovery sends a signed webhook.recovered to the workspace's operational webhook, once", async () => {
    let up = false;
    const { t, webhook } = await endpoint(() => (up ? 200 : 503));
    await db.webhook.update({ where: { id: webhook.id }, data: { failureCount: -1000 } });
    const ops = await startReceiver((_q, res) => void res.writeHead(200).end());
    receivers.push(ops);
    const put = await call<{ created: boolean; secret: string }>(
      operationalRoute.PUT,
      request("PUT", "/api/v1/operational-webhook", { auth: { key: t.key }, body: { url: ops.url } }),
    );
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await publishAndSettle(t, webhook, 3);
    up = true;
    const since = ago(3600_000);
    const started = await recover(t, webhook.id, { since });
    const done = await finished(t, webhook.id, started.body.data.id);
    expect(done).toMatchObject({ status: "completed", total: 3, succeeded: 3, failed: 0 });
    const events = () =>
      ops.requests
        .filter((q) => q.method === "POST" && !q.body.includes('"webhook.probe"'))
        .map((q) => verifySigned(put.body.data.secret, q) as { type: string; data: Record<string, unknown> });
    const [event] = await waitFor(() => (events().length ? events() : null), "the webhook.recovered event");
    expect(event).toMatchObject({
      type: "webhook.recovered",
      data: {
        webhookId: webhook.id,
        recoveryId: done.id,
        total: 3,
        succeeded: 3,
        failed: 0,
        since: done.since,
        until: done.until,
      },
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(events()).toHaveLength(1);
  }, 60_000);

  it("failed replays are counted, leave the failure streak alone, and the counts add up", async () => {
    let up = false;
    const { t, webhook } = await endpoint(() => (up ? 200 : 500));
    await db.webhook.update({ where: { id: webhook.id }, data: { failureCount: -1000 } });
    await publishAndSettle(t, webhook, 3);
    const before = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    const started = await recover(t, webhook.id, { since: ago(600_000) });
    const done = await finished(t, webhook.id, started.body.data.id);
    expect(done).toMatchObject({ status: "completed", total: 3, sent: 3, succeeded: 0, failed: 3 });
    const w = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(w).toMatchObject({ failureCount: before.failureCount, failingSince: before.failingSince, isActive: true });
    up = true;
  }, 60_000);

  it("validates the window, refuses an overlapping recovery (409), and is 404 across workspaces", async () => {
    const gate: { open: () => void; wait: Promise<void> } = (() => {
      let open!: () => void;
      const wait = new Promise<void>((r) => (open = r));
      return { open, wait };
    })();
    const { t, webhook, seen } = await endpoint(() => 200);
    const slow = receivers.at(-1)!;
    slow.setHandler(async (q, res) => {
      if (!q.body.includes("webhook.probe")) await gate.wait;
      seen.set(String(q.headers["webhook-id"]), 1);
      res.writeHead(200).end();
    });
    await seedDelivery(webhook);

    for (const [body, field] of [
      [{}, "since"],
      [{ since: "yesterday" }, "since"],
      [{ since: ago(-3600_000) }, "since"],
      [{ since: ago(3600_000), until: ago(-3600_000) }, "until"],
      [{ since: ago(3600_000), until: ago(7200_000) }, "until"],
      [{ since: ago(15 * 86_400_000) }, "since"],
      [{ since: ago(3600_000), extra: 1 }, "extra"],
    ] as const) {
      const res = await recover(t, webhook.id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error?.code).toBe("validation_error");
      expect(JSON.stringify(res.body.error?.details)).toContain(field);
    }

    const preview = await call(
      recoverRoute.GET,
      request("GET", `/api/v1/webhooks/${webhook.id}/recover?since=${encodeURIComponent(ago(3600_000))}`, {
        auth: { key: t.key },
      }),
      { id: webhook.id },
    );
    const remaining = Number(preview.headers.get("ratelimit-remaining"));
    const first = await recover(t, webhook.id, { since: ago(3600_000) });
    expect(first.status).toBe(202);
    expect(Number(first.headers.get("ratelimit-remaining"))).toBe(remaining - 1); // one request, one point
    const second = await recover(t, webhook.id, { since: ago(60_000) });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      success: false,
      error: { code: "conflict", details: { recoveryId: first.body.data.id } },
    });

    const b = await makeTenant("recovery-b");
    expect((await recover(b, webhook.id, { since: ago(3600_000) })).status).toBe(404);
    expect((await getRecovery(b, webhook.id, first.body.data.id)).status).toBe(404);
    const { webhook: own } = await seedWebhook(b.workspaceId);
    expect((await getRecovery(b, own.id, first.body.data.id)).status).toBe(404);
    expect((await getRecovery(t, webhook.id, "rcv_0000000000nothing")).status).toBe(404);

    gate.open();
    expect(await finished(t, webhook.id, first.body.data.id)).toMatchObject({ status: "completed", total: 1, sent: 1 });
    expect((await recover(t, webhook.id, { since: ago(60_000) })).status).toBe(202); // no longer overlapping
  }, 60_000);

  it("deleting the webhook cancels a running recovery", async () => {
    const { t, webhook } = await endpoint(() => 200);
    const slow = receivers.at(-1)!;
    slow.setHandler(() => undefined); // never answers: the replay stays in flight until the timeout
    for (let i = 0; i < 3; i++) await seedDelivery(webhook);
    const started = await recover(t, webhook.id, { since: ago(3600_000) });
    expect(started.status).toBe(202);
    await waitFor(() => db.delivery.count({ where: { recoveryId: started.body.data.id } }), "replays to exist");
    const del = await call(
      itemRoute.DELETE,
      request("DELETE", `/api/v1/webhooks/${webhook.id}`, { auth: { key: t.key } }),
      { id: webhook.id },
    );
    expect(del.status).toBe(200);
    const row = await db.recovery.findUniqueOrThrow({ where: { id: started.body.data.id } });
    expect(row).toMatchObject({ status: "cancelled", error: "webhook was deleted" });
    await waitFor(
      async () => ((await db.delivery.count({ where: { recoveryId: row.id, status: "pending" } })) === 0 ? true : null),
      "the replays to be settled",
    );
  }, 30_000);

  it("retention purges finished recoveries older than the window, never a running one", async () => {
    const t = await makeTenant("recovery-retention");
    const { webhook } = await seedWebhook(t.workspaceId);
    const old = new Date(Date.now() - 31 * 86_400_000);
    const [done, running, fresh] = [
      await seedRecovery(webhook),
      await seedRecovery(webhook),
      await seedRecovery(webhook),
    ];
    await db.recovery.updateMany({ where: { id: { in: [done, running] } }, data: { createdAt: old } });
    await db.recovery.update({ where: { id: running }, data: { status: "running", finishedAt: null } });
    const res = await purgeExpired();
    expect(res.recoveries).toBeGreaterThanOrEqual(1);
    expect(await db.recovery.findUnique({ where: { id: done } })).toBeNull();
    expect(await db.recovery.findUnique({ where: { id: running } })).not.toBeNull();
    expect(await db.recovery.findUnique({ where: { id: fresh } })).not.toBeNull();
  });
});
