import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { noticeAutoDisabled } from "@/lib/notices/disabled";
import { storableText } from "@/lib/storable";

/**
 * Failure accounting of an endpoint. A failed delivery (after its last
 * automatic attempt, a failed test/replay, or a delivery its run could not
 * finish) extends the endpoint's failure streak; a streak of
 * WEBHOOK_DISABLE_AFTER_FAILURES deliveries, one lasting
 * WEBHOOK_DISABLE_AFTER_DAYS, or a 410 Gone disables the endpoint, with the
 * reason stored and shown. (A success ends the streak: recordAttempt.)
 *
 * Replays (single, or part of a bulk recovery) never move the retry
 * counters: a failed replay is recorded on its own delivery and attempt but
 * leaves `failureCount`, `failingSince` and so the auto-disable streak as
 * they were. Only a 410 Gone, the receiver's explicit "stop sending", still
 * disables the endpoint when a replay gets it. A replay that succeeds does
 * end the streak: it proves the endpoint is up again.
 */

type Tx = Prisma.TransactionClient;

export async function recordDeliveryFailure(
  tx: Tx,
  webhookId: string,
  outcome: { gone: boolean; at: Date; replay?: boolean },
): Promise<void> {
  if (outcome.replay) {
    if (outcome.gone) await disable(tx, webhookId, GONE_REASON, outcome.at);
    return;
  }
  const rows = await tx.$queryRaw<{ failureCount: number; failingSince: Date; isActive: boolean }[]>`
    UPDATE "Webhook"
       SET "failureCount" = "failureCount" + 1, "failingSince" = COALESCE("failingSince", ${outcome.at}), "updatedAt" = now()
     WHERE id = ${webhookId}
 RETURNING "failureCount", "failingSince", "isActive"`;
  const w = rows[0];
  if (!w?.isActive) return;
  const { WEBHOOK_DISABLE_AFTER_FAILURES: maxFailures, WEBHOOK_DISABLE_AFTER_DAYS: maxDays } = env();
  const failingDays = (outcome.at.getTime() - w.failingSince.getTime()) / 86_400_000;
  const reason = outcome.gone
    ? GONE_REASON
    : w.failureCount >= maxFailures
      ? `${w.failureCount} consecutive deliveries failed`
      : failingDays >= maxDays
        ? `Every delivery failed for ${Math.floor(failingDays)} days`
        : null;
  if (reason) await disable(tx, webhookId, reason, outcome.at);
}

const GONE_REASON = "Your endpoint answered 410 Gone, which asks us to stop sending";

async function disable(tx: Tx, webhookId: string, reason: string, at: Date): Promise<void> {
  const res = await tx.webhook.updateMany({
    where: { id: webhookId, isActive: true },
    data: { isActive: false, disabledReason: reason, disabledAt: at },
  });
  if (res.count === 0) return;
  log.warn("webhook endpoint disabled", { webhookId, reason });
  await noticeAutoDisabled(tx, { webhookId, reason, at }); // banner, email, operational event
}

const MAX_REASON_CHARS = 500;

/**
 * Settles a delivery its run could not finish (the function's onFailure: a
 * step that kept throwing, e.g. an undecryptable secret or a database
 * error): `failed`, with an `internal: …` error that says why, counted in the
 * endpoint's failure streak (a replay's is not). Only a delivery still `pending` is touched, so
 * it is idempotent and never overwrites a recorded outcome.
 */
export async function failStrandedDelivery(deliveryId: string, reason: string): Promise<boolean> {
  const error = storableText(reason.startsWith("internal: ") ? reason : `internal: ${reason}`).slice(
    0,
    MAX_REASON_CHARS,
  );
  const at = new Date();
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ webhookId: string; kind: string }[]>`
      UPDATE "Delivery" SET status = 'failed', success = false, error = ${error}, "nextAttemptAt" = NULL, "updatedAt" = ${at}
       WHERE id = ${deliveryId} AND status = 'pending'
   RETURNING "webhookId", kind::text AS kind`;
    const row = rows[0];
    if (!row) return false;
    await recordDeliveryFailure(tx, row.webhookId, { gone: false, at, replay: row.kind === "replay" });
    log.warn("delivery failed: its run could not finish", { deliveryId, error });
    return true;
  });
}

/**
 * Settles the deliveries of an event whose fan-out could not finish and that
 * were never attempted (onFailure of fan-out): each `failed` with the reason,
 * counted in its endpoint's failure streak.
 */
export async function failUndeliveredForEvent(eventId: string, reason: string): Promise<number> {
  const rows = await db.delivery.findMany({
    where: { eventId, kind: "event", status: "pending", attemptCount: 0 },
    select: { id: true },
  });
  let failed = 0;
  for (const r of rows) if (await failStrandedDelivery(r.id, reason)) failed++;
  return failed;
}
