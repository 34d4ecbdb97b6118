import { db } from "@/lib/db";
import type { DeliveryRequestedData } from "@/lib/jobs/events";

/**
 * The safety net under the delivery runs: deliveries still `pending` more
 * than SWEEP_STALE_MS past their `nextAttemptAt` have no live run (a live
 * run sleeps until `nextAttemptAt`, or holds the attempt's claim, which
 * pushes it forward) — their request was lost (an event send that failed
 * after the row was written) or their run died. The sweep requests them
 * again. Idempotent by delivery id: each is requested at most once per
 * stale period and attempt count, and an attempt is made by one run only
 * (the claim in lib/delivery/attempt.ts), whatever the number of requests.
 */

export const SWEEP_STALE_MS = 10 * 60_000;
const BATCH = 500;

export type StrandedDelivery = { data: DeliveryRequestedData; key: string };

export async function findStrandedDeliveries(now = new Date()): Promise<StrandedDelivery[]> {
  const rows = await db.$queryRaw<
    Array<{ id: string; webhookId: string; kind: DeliveryRequestedData["kind"]; attemptCount: number }>
  >`
    SELECT id, "webhookId", kind::text AS kind, "attemptCount"
      FROM "Delivery"
     WHERE status = 'pending' AND "nextAttemptAt" < ${new Date(now.getTime() - SWEEP_STALE_MS)}
     ORDER BY "nextAttemptAt"
     LIMIT ${BATCH}`;
  const slot = Math.floor(now.getTime() / SWEEP_STALE_MS);
  return rows.map((r) => ({
    data: { deliveryId: r.id, webhookId: r.webhookId, kind: r.kind },
    key: `sweep-${r.attemptCount}-${slot}`,
  }));
}
