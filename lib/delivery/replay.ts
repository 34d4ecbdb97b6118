import { createExtraDelivery } from "@/lib/delivery/extra";
import { findDeliveryOrThrow } from "@/lib/delivery/logs";
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
  return createExtraDelivery(webhook, {
    kind: "replay",
    messageId: original.messageId,
    eventType: original.eventType,
    payload: original.payload,
    eventId: original.eventId,
    replayOfId: original.id,
  });
}
