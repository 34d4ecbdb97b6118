import { DELIVERY_REQUESTED } from "@/inngest/events";
import { inngest } from "@/inngest/client";
import { db } from "@/lib/db";
import { toDeliveryView } from "@/lib/delivery/view";
import { findEventType } from "@/lib/events/catalog";
import { newId } from "@/lib/ids";
import type { Webhook } from "@/lib/generated/prisma/client";

/**
 * Sends the catalog's example payload of any type to a webhook (subscribed
 * to it or not), through the same pipeline, marked `"test": true` in the
 * body and `kind: "test"` in the log. Tests are not retried.
 */
export async function sendTestEvent(webhook: Webhook, type: string) {
  const { workspaceId, id: webhookId } = webhook;
  const def = findEventType(type);
  if (!def) throw new Error(`unknown event type ${type}`); // unreachable: validated by the route
  const payload = JSON.stringify({ type, timestamp: new Date().toISOString(), test: true, data: def.example });
  const row = await db.delivery.create({
    data: {
      id: newId("dlv"),
      workspaceId,
      webhookId,
      messageId: newId("msg"),
      eventType: type,
      kind: "test",
      payload,
      url: webhook.url,
      nextAttemptAt: new Date(),
    },
    include: { attempts: true },
  });
  await inngest.send({ name: DELIVERY_REQUESTED, data: { deliveryId: row.id, webhookId, kind: "test" } });
  return toDeliveryView(row);
}
