import { db } from "@/lib/db";
import { env } from "@/lib/env";

/**
 * Daily retention: delivery logs (and their attempts) older than
 * DELIVERY_RETENTION_DAYS — including those of deleted webhooks — published
 * events and finished bulk recoveries of the same age, and idempotency keys
 * older than 24 h. Deletes in
 * batches so a large backlog never holds one long transaction.
 */
export async function purgeExpired(now = new Date(), batchSize = 5000) {
  const cutoff = new Date(now.getTime() - env().DELIVERY_RETENTION_DAYS * 86_400_000);
  let deliveries = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM "Delivery" WHERE id IN (SELECT id FROM "Delivery" WHERE "createdAt" < ${cutoff} LIMIT ${batchSize})`;
    deliveries += n;
    if (n < batchSize) break;
  }
  const events = await db.event.deleteMany({ where: { createdAt: { lt: cutoff } } });
  const recoveries = await db.recovery.deleteMany({ where: { createdAt: { lt: cutoff }, status: { not: "running" } } });
  const idempotencyKeys = await db.idempotencyKey.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - 86_400_000) } },
  });
  return {
    cutoff: cutoff.toISOString(),
    deliveries,
    events: events.count,
    recoveries: recoveries.count,
    idempotencyKeys: idempotencyKeys.count,
  };
}
