import { describe, expect, it } from "vitest";
import * as recoverRoute from "@/app/api/v1/webhooks/[id]/recover/route";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import type { RecoveryView } from "@/lib/recovery/schemas";
import { call, makeTenant, request } from "@/test/support/api";
import { waitFor } from "@/test/support/executor";
import { seedWebhook } from "@/test/support/fixtures";
import { useCrashableApp } from "@/test/support/crash-app";

/**
 * Kill the engine's process with SIGKILL in the middle of a bulk recovery of
 * 700 failed deliveries (more than one chunk), start it again, and check the
 * recovery resumes and finishes: every failed delivery replayed exactly once
 * as a row (the unique key), received at least once, and re-sent only if its
 * request was in flight at the kill (at-least-once, never a whole chunk again).
 */

const TOTAL = 700;
const { startApp, receiver: getReceiver } = useCrashableApp({ WEBHOOK_DELIVERY_RATE_PER_SECOND: "100" });

describe("bulk recovery across a crash", () => {
  it("resumes after SIGKILL and replays every failed delivery, none twice beyond at-least-once", async () => {
    const receiver = getReceiver();
    const t = await makeTenant("recovery-crash");
    const { webhook } = await seedWebhook(t.workspaceId, { url: receiver.url });
    const at = Date.now() - 30 * 60_000;
    await db.delivery.createMany({
      data: Array.from({ length: TOTAL }, (_, i) => ({
        id: newId("dlv"),
        workspaceId: t.workspaceId,
        webhookId: webhook.id,
        messageId: newId("msg"),
        eventType: "call.ended",
        kind: "event" as const,
        payload: JSON.stringify({ type: "call.ended", timestamp: new Date(at).toISOString(), data: { n: i } }),
        url: webhook.url,
        status: "failed" as const,
        success: false,
        statusCode: 503,
        attemptCount: 8,
        createdAt: new Date(at + i),
        updatedAt: new Date(at + i),
      })),
    });
    const seen = new Map<string, number>();
    receiver.setHandler(async (q, res) => {
      const id = String(q.headers["webhook-id"]);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 30));
      res.writeHead(200).end();
    });

    const started = await call<RecoveryView>(
      recoverRoute.POST,
      request("POST", `/api/v1/webhooks/${webhook.id}/recover`, {
        auth: { key: t.key },
        body: { since: new Date(at - 60_000).toISOString() },
      }),
      { id: webhook.id },
    );
    expect(started.status).toBe(202);
    expect(started.body.data.total).toBe(TOTAL);
    const recoveryId = started.body.data.id;

    const first = await startApp(); // the recovery's event waited, stored, for an engine
    await waitFor(() => seen.size >= 200, "some replays before the crash", 90_000);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const beforeCrash = seen.size;
    expect(beforeCrash).toBeLessThan(TOTAL);

    await startApp();
    const done = await waitFor(
      async () => {
        const r = await db.recovery.findUniqueOrThrow({ where: { id: recoveryId } });
        return r.status !== "running" ? r : null;
      },
      "the recovery to finish",
      180_000,
    );
    expect(done.status).toBe("completed");
    expect(done.total).toBe(TOTAL);

    const originals = await db.delivery.findMany({ where: { webhookId: webhook.id, kind: "event" } });
    const replays = await db.delivery.findMany({ where: { recoveryId } });
    expect(replays).toHaveLength(TOTAL); // one replay row per original: a resumed step re-created none
    expect(new Set(replays.map((d) => d.replayOfId))).toEqual(new Set(originals.map((d) => d.id)));
    expect(replays.every((d) => d.status === "succeeded" && d.attemptCount === 1)).toBe(true);
    for (const d of originals) expect(seen.get(d.messageId) ?? 0, d.messageId).toBeGreaterThanOrEqual(1);
    expect(seen.size).toBe(TOTAL); // nothing but these messages was sent
    // Re-sent only what was in flight at the kill: far fewer than a chunk (500) or everything before the crash.
    const twice = [...seen.values()].filter((n) => n > 1).length;
    process.stdout.write(`recovery crash: ${beforeCrash} messages received before the kill, ${twice} received twice\n`);
    expect(twice).toBeLessThan(50);
    expect([...seen.values()].every((n) => n <= 2)).toBe(true);
  }, 300_000);
});
