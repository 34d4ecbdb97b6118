import { env } from "@/lib/env";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";

/**
 * Failure accounting of an endpoint, applied when a delivery reaches its
 * outcome: a success resets the streak; a failed delivery (after its last
 * automatic attempt, or a failed test/replay) extends it. A streak of
 * WEBHOOK_DISABLE_AFTER_FAILURES deliveries, one lasting
 * WEBHOOK_DISABLE_AFTER_DAYS, or a 410 Gone disables the endpoint, with the
 * reason stored and shown.
 */

type Tx = Prisma.TransactionClient;

export async function recordDeliveryOutcome(
  tx: Tx,
  webhookId: string,
  outcome: { success: boolean; gone: boolean; at: Date },
): Promise<void> {
  if (outcome.success) {
    await tx.webhook.updateMany({ where: { id: webhookId }, data: { failureCount: 0, failingSince: null } });
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
    ? "Your endpoint answered 410 Gone, which asks us to stop sending"
    : w.failureCount >= maxFailures
      ? `${w.failureCount} consecutive deliveries failed`
      : failingDays >= maxDays
        ? `Every delivery failed for ${Math.floor(failingDays)} days`
        : null;
  if (reason) {
    await tx.webhook.updateMany({
      where: { id: webhookId, isActive: true },
      data: { isActive: false, disabledReason: reason, disabledAt: outcome.at },
    });
    log.warn("webhook endpoint disabled", { webhookId, reason });
  }
}
