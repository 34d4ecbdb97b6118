import { db } from "@/lib/db";
import { newId } from "@/lib/ids";

/**
 * Fan-out of one published event: one Delivery per active webhook of the
 * workspace subscribed to its type, each with its own message id. Idempotent:
 * a re-run (after a crash) returns the deliveries already made.
 */
export async function createDeliveriesForEvent(eventId: string): Promise<{ deliveryId: string; webhookId: string }[]> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${eventId}))`;
    const existing = await tx.delivery.findMany({ where: { eventId, kind: "event" }, select: { id: true, webhookId: true } });
    if (existing.length) return existing.map((d) => ({ deliveryId: d.id, webhookId: d.webhookId }));
    const event = await tx.event.findUnique({ where: { id: eventId } });
    if (!event) return [];
    const webhooks = await tx.webhook.findMany({
      where: { workspaceId: event.workspaceId, isActive: true, events: { has: event.type } },
      select: { id: true, url: true },
    });
    const payload = JSON.stringify({ type: event.type, timestamp: event.timestamp.toISOString(), data: event.data });
    const rows = webhooks.map((w) => ({
      id: newId("dlv"),
      workspaceId: event.workspaceId,
      webhookId: w.id,
      eventId,
      messageId: newId("msg"),
      eventType: event.type,
      kind: "event" as const,
      payload,
      url: w.url,
      nextAttemptAt: new Date(),
    }));
    await tx.delivery.createMany({ data: rows });
    return rows.map((r) => ({ deliveryId: r.id, webhookId: r.webhookId }));
  });
}
