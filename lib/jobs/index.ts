import { inngest } from "@/inngest/client";
import {
  deliveryRequest,
  EVENT_PUBLISHED,
  OPERATIONAL_EVENT_REQUESTED,
  RECOVERY_REQUESTED,
  WEBHOOK_AUTO_DISABLED,
  WEBHOOK_DELETED,
  type DeliveryRequestedData,
  type EventPublishedData,
  type OperationalEventRequestedData,
  type RecoveryRequestedData,
  type WebhookAutoDisabledData,
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

/** Starts the delivery runs of many delivery rows in one send (each idempotent like requestDelivery). */
export async function requestDeliveries(list: DeliveryRequestedData[]): Promise<void> {
  if (list.length > 0) await inngest.send(list.map((data) => deliveryRequest(data)));
}

/** Starts a bulk recovery's run (once per recovery id). */
export async function requestRecovery(data: RecoveryRequestedData): Promise<void> {
  await inngest.send({ id: `recover-${data.recoveryId}`, name: RECOVERY_REQUESTED, data });
}

/** Cancels the runs of a deleted webhook's deliveries at once (cancelOn). */
export async function announceWebhookDeleted(data: WebhookDeletedData): Promise<void> {
  await inngest.send({ name: WEBHOOK_DELETED, data });
}

/**
 * An endpoint was disabled automatically: emails its workspace's members and
 * sends the operational `webhook.disabled` event, in one durable send (once
 * per notice; the operational event's own id is `operational.id`).
 */
export async function announceWebhookAutoDisabled(
  data: WebhookAutoDisabledData,
  operational: { id: string; data: OperationalEventRequestedData },
): Promise<void> {
  await inngest.send([
    { id: `auto-disabled-${data.noticeId}`, name: WEBHOOK_AUTO_DISABLED, data },
    { id: operational.id, name: OPERATIONAL_EVENT_REQUESTED, data: operational.data },
  ]);
}

/** Queues one operational event for the workspace's operational endpoint (once per id). */
export async function requestOperationalEvent(id: string, data: OperationalEventRequestedData): Promise<void> {
  await inngest.send({ id, name: OPERATIONAL_EVENT_REQUESTED, data });
}
