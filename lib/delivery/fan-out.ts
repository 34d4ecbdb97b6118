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
      // One INSERT for the whole batch, in raw SQL: the payload (built once per event, byte for byte the same for
      // all its webhooks) travels once per event, and no ORM query plan is compiled per batch (Prisma's compiler
      // caches no plan for a createMany of a new row count: ≈ 0.2 ms of CPU per delivery in the wide bench).
      const now = new Date().toISOString();
      const events: Array<{ id: string; workspaceId: string; type: string; payload: string }> = [];
      const rows: Array<{ id: string; webhookId: string; messageId: string; url: string; event: number }> = [];
      for (const event of found) {
        if (event.existing?.length) {
          byEvent.set(
            event.id,
            event.existing.map((m) => ({ ...m, eventId: event.id })),
          );
          continue;
        }
        const webhooks = event.webhooks ?? [];
        if (webhooks.length === 0) continue;
        // `data` goes in as the publisher's JSON text (Event.data), byte for byte.
        const envelope = JSON.stringify({ type: event.type, timestamp: event.timestamp.toISOString() });
        events.push({
          id: event.id,
          workspaceId: event.workspaceId,
          type: event.type,
          payload: `${envelope.slice(0, -1)},"data":${event.data}}`,
        });
        const made = webhooks.map((w) => ({
          id: newId("dlv"),
          webhookId: w.id,
          messageId: newId("msg"),
          url: w.url,
          event: events.length, // 1-based: WITH ORDINALITY below
        }));
        rows.push(...made);
        byEvent.set(
          event.id,
          made.map((r) => ({ deliveryId: r.id, webhookId: r.webhookId, eventId: event.id })),
        );
      }
      if (rows.length)
        await tx.$executeRaw`
          INSERT INTO "Delivery" (id, "workspaceId", "webhookId", "eventId", "messageId", "eventType", kind, payload, url,
                                  "nextAttemptAt", "createdAt", "updatedAt")
          SELECT x.id, e."workspaceId", x."webhookId", e.id, x."messageId", e.type, 'event'::"DeliveryKind", e.payload, x.url,
                 t.at, t.at, t.at
            FROM unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.webhookId)}::text[],
                        ${rows.map((r) => r.messageId)}::text[], ${rows.map((r) => r.url)}::text[],
                        ${rows.map((r) => r.event)}::int[]) AS x(id, "webhookId", "messageId", url, n)
            JOIN unnest(${events.map((e) => e.id)}::text[], ${events.map((e) => e.workspaceId)}::text[],
                        ${events.map((e) => e.type)}::text[], ${events.map((e) => e.payload)}::text[])
                 WITH ORDINALITY AS e(id, "workspaceId", type, payload, n) ON e.n = x.n
           CROSS JOIN (SELECT ${now}::timestamptz AT TIME ZONE 'UTC' AS at) t`;
      return ids.flatMap((id) => byEvent.get(id) ?? []);
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
}
