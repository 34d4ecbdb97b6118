/** The names and payloads of the app's own Inngest events (one place, used by lib/ and the functions). */
export const EVENT_PUBLISHED = "webhooks/event.published";
export const DELIVERY_REQUESTED = "webhooks/delivery.requested";
export const WEBHOOK_DELETED = "webhooks/webhook.deleted";

export type EventPublishedData = { eventId: string; workspaceId: string };
export type DeliveryRequestedData = { deliveryId: string; webhookId: string; kind: "event" | "test" | "replay" };
export type WebhookDeletedData = { webhookId: string; workspaceId: string };
