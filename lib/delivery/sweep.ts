import { db } from "@/lib/db";
import type { DeliveryRequestedData } from "@/lib/jobs/events";

/**
 * The safety net under the delivery runs. A delivery still `pending` more
 * than SWEEP_STALE_MS past its `nextAttemptAt` has no run making progress
 * (a live run sleeps until `nextAttemptAt`): its request was lost (an event
 * send that failed after the row was written) or its run died without
 * settling it. The sweep requests it again, idempotently by delivery id:
 *
 * - for a day after `nextAttemptAt`, with the id of the original request
 *   (`deliver-<id>`): Inngest (and the embedded executor) drop an event whose
 *   id they have seen, so this only starts a run when the original request
 *   never arrived — never a second run beside a live one;
 * - after that (the dedupe window is over; a run that old is gone), with a
 *   new id once per day.
 */

export const SWEEP_STALE_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
const BATCH = 500;

export type StrandedDelivery = { data: DeliveryRequestedData; key: string };

export async function findStrandedDeliveries(now = new Date()): Promise<StrandedDelivery[]> {
  const rows = await db.$queryRaw<
    Array<{ id: string; webhookId: string; kind: DeliveryRequestedData["kind"]; nextAttemptAt: Date }>
  >`
    SELECT id, "webhookId", kind::text AS kind, "nextAttemptAt"
      FROM "Delivery"
     WHERE status = 'pending' AND "nextAttemptAt" < ${new Date(now.getTime() - SWEEP_STALE_MS)}
     ORDER BY "nextAttemptAt"
     LIMIT ${BATCH}`;
  return rows.map((r) => ({
    data: { deliveryId: r.id, webhookId: r.webhookId, kind: r.kind },
    key: now.getTime() - r.nextAttemptAt.getTime() < DAY_MS ? "first" : `sweep-${Math.floor(now.getTime() / DAY_MS)}`,
  }));
}
