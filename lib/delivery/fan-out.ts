import { db } from "@/lib/db";
import type { Event, Webhook } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";

type Made = { deliveryId: string; webhookId: string };
export type MadeForEvent = Made & { eventId: string };

/**
 * Fan-out of one published event: one Delivery per active webhook of the
 * workspace subscribed to its type, each with its own message id. Idempotent:
 * a re-run (after a crash) returns the deliveries already made.
 */
export async function createDeliveriesForEvent(eventId: string): Promise<Made[]> {
  const made = await createDeliveriesForEvents([eventId]);
  return made.map(({ deliveryId, webhookId }) => ({ deliveryId, webhookId }));
}

/**
 * Fan-out of a batch of published events (the batched `fan-out` function), in
 * one transaction and a fixed number of statements whatever the batch size:
 * the events' advisory locks (in one order, so concurrent batches cannot
 * deadlock), one read of the events with their existing deliveries and their
 * subscribed active webhooks (creation order), one insert. Per event exactly
 * as createDeliveriesForEvent: an event that already has deliveries (a re-run)
 * keeps them; a purged event keeps what it had. Returned in the batch's order.
 */
export async function createDeliveriesForEvents(eventIds: string[]): Promise<MadeForEvent[]> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return [];
  // A batch's run competes for the pool with the executor and the other runs (e.g. every run a restarted
  // instance takes over at once): wait for a connection longer than Prisma's 2 s before failing the step.
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtext(id) AS h FROM unnest(${ids}::text[]) id ORDER BY 1) s`;
      const found = await tx.$queryRaw<
        Array<
          Pick<Event, "id" | "workspaceId" | "type" | "timestamp" | "data"> & {
            existing: Made[] | null;
            webhooks: Pick<Webhook, "id" | "url">[] | null;
          }
        >
      >`
      SELECT e.id, e."workspaceId", e.type, e.timestamp, e.data,
             (SELECT json_agg(json_build_object('deliveryId', d.id, 'webhookId', d."webhookId"))
                FROM "Delivery" d WHERE d."eventId" = e.id AND d.kind = 'event') AS existing,
             (SELECT json_agg(json_build_object('id', w.id, 'url', w.url) ORDER BY w."createdAt", w.id)
                FROM "Webhook" w WHERE w."workspaceId" = e."workspaceId" AND w."isActive" AND e.type = ANY(w.events)) AS webhooks
        FROM "Event" e WHERE e.id = ANY(${ids}::text[])`;
      const byEvent = new Map<string, MadeForEvent[]>();
      const missing = ids.filter((id) => !found.some((f) => f.id === id));
      if (missing.length) {
        // No event (purged): still return deliveries made earlier, as before.
        const existing = await tx.delivery.findMany({
          where: { eventId: { in: missing }, kind: "event" },
          select: { id: true, webhookId: true, eventId: true },
        });
        for (const d of existing) {
          if (d.eventId === null) continue;
          const list = byEvent.get(d.eventId) ?? [];
          list.push({ deliveryId: d.id, webhookId: d.webhookId, eventId: d.eventId });
          byEvent.set(d.eventId, list);
        }
      }
      const rows = [];
      for (const event of found) {
        if (event.existing?.length) {
          byEvent.set(
            event.id,
            event.existing.map((m) => ({ ...m, eventId: event.id })),
          );
          continue;
        }
        // `data` goes in as the publisher's JSON text (Event.data), byte for byte.
        const envelope = JSON.stringify({ type: event.type, timestamp: event.timestamp.toISOString() });
        const payload = `${envelope.slice(0, -1)},"data":${event.data}}`;
        const made = (event.webhooks ?? []).map((w) => ({
          id: newId("dlv"),
          workspaceId: event.workspaceId,
          webhookId: w.id,
          eventId: event.id,
          messageId: newId("msg"),
          eventType: event.type,
          kind: "event" as const,
          payload,
          url: w.url,
          nextAttemptAt: new Date(),
        }));
        rows.push(...made);
        byEvent.set(
          event.id,
          made.map((r) => ({ deliveryId: r.id, webhookId: r.webhookId, eventId: event.id })),
        );
      }
      if (rows.length) await tx.delivery.createMany({ data: rows });
      return ids.flatMap((id) => byEvent.get(id) ?? []);
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
}
