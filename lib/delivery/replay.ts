import { DELIVERY_REQUESTED } from "@/inngest/events";
import { inngest } from "@/inngest/client";
import { db } from "@/lib/db";
import { findDeliveryOrThrow } from "@/lib/delivery/logs";
import { toDeliveryView } from "@/lib/delivery/view";
import { newId } from "@/lib/ids";
import { findWebhookOrThrow } from "@/lib/webhooks/get";

/**
 * Replays a delivery: the original payload, with the original webhook-id, to
 * the webhook's current URL, signed with its current secret. Logged as a new
 * `replay` delivery linked to the original; sent once, never retried, and the
 * original's attempt counter is left alone.
 */
export async function replayDelivery(workspaceId: string, webhookId: string, deliveryId: string) {
  const webhook = await findWebhookOrThrow(workspaceId, webhookId);
  const original = await findDeliveryOrThrow(workspaceId, webhookId, deliveryId);
  const row = await db.delivery.create({
    data: {
      id: newId("dlv"),
      workspaceId,
      webhookId,
      eventId: original.eventId,
      messageId: original.messageId,
      eventType: original.eventType,
      kind: "replay",
      replayOfId: original.id,
      payload: original.payload,
      url: webhook.url,
      nextAttemptAt: new Date(),
    },
    include: { attempts: true },
  });
  await inngest.send({ name: DELIVERY_REQUESTED, data: { deliveryId: row.id, webhookId, kind: "replay" } });
  return toDeliveryView(row);
}
