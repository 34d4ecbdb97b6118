import { inngest } from "@/inngest/client";
import {
  deliveryRequest,
  EVENT_PUBLISHED,
  WEBHOOK_DELETED,
  type DeliveryRequestedData,
  type EventPublishedData,
  type WebhookDeletedData,
} from "@/lib/jobs/events";

/**
 * The one door from lib/ to the background jobs (Inngest functions, run by
 * Inngest or the embedded executor): typed calls instead of raw
 * `inngest.send`. Each resolves once the event is durably accepted.
 */

/** Hands a published event to the fan-out (once per event id). */
export async function announceEventPublished(data: EventPublishedData): Promise<void> {
  await inngest.send({ id: data.eventId, name: EVENT_PUBLISHED, data });
}

/** Starts the delivery run of one delivery row (once per delivery and key; see deliveryRequest). */
export async function requestDelivery(data: DeliveryRequestedData, key?: string): Promise<void> {
  await inngest.send(deliveryRequest(data, key));
}

/** Cancels the runs of a deleted webhook's deliveries at once (cancelOn). */
export async function announceWebhookDeleted(data: WebhookDeletedData): Promise<void> {
  await inngest.send({ name: WEBHOOK_DELETED, data });
}
