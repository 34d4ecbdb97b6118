import { z } from "zod";

/**
 * The app's own Inngest events: names and payload schemas, in one place.
 * lib/ sends them only through lib/jobs (typed), and each function parses
 * the `data` it receives with the same schema (no casts).
 */

export const EVENT_PUBLISHED = "webhooks/event.published";
export const DELIVERY_REQUESTED = "webhooks/delivery.requested";
export const WEBHOOK_DELETED = "webhooks/webhook.deleted";
export const WEBHOOK_AUTO_DISABLED = "webhooks/webhook.auto-disabled";
export const OPERATIONAL_EVENT_REQUESTED = "webhooks/operational-event.requested";
export const RECOVERY_REQUESTED = "webhooks/recovery.requested";

export const eventPublishedData = z.object({ eventId: z.string().min(1), workspaceId: z.string().min(1) });
export const deliveryRequestedData = z.object({
  deliveryId: z.string().min(1),
  webhookId: z.string().min(1),
  kind: z.enum(["event", "test", "replay"]),
});
export const webhookDeletedData = z.object({ webhookId: z.string().min(1), workspaceId: z.string().min(1) });
export const recoveryRequestedData = z.object({
  recoveryId: z.string().min(1),
  webhookId: z.string().min(1),
  workspaceId: z.string().min(1),
});

/** An endpoint disabled automatically (lib/notices): the email to the workspace's members. */
export const webhookAutoDisabledData = z.object({
  noticeId: z.string().min(1),
  workspaceId: z.string().min(1),
  webhookId: z.string().min(1),
  url: z.string().min(1),
  reason: z.string().min(1),
  disabledAt: z.iso.datetime(),
});
/** One operational event to sign and POST to the workspace's operational endpoint (lib/operational). */
export const operationalEventRequestedData = z.object({
  workspaceId: z.string().min(1),
  /** The `webhook-id` header: the same on every retry. */
  messageId: z.string().min(1),
  type: z.enum(["webhook.disabled", "webhook.recovered"]),
  timestamp: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});

export type EventPublishedData = z.infer<typeof eventPublishedData>;
export type DeliveryRequestedData = z.infer<typeof deliveryRequestedData>;
export type WebhookDeletedData = z.infer<typeof webhookDeletedData>;
export type WebhookAutoDisabledData = z.infer<typeof webhookAutoDisabledData>;
export type OperationalEventRequestedData = z.infer<typeof operationalEventRequestedData>;
export type RecoveryRequestedData = z.infer<typeof recoveryRequestedData>;

/**
 * The event that requests one delivery's run. Its id makes the request
 * idempotent: `deliver-<delivery id>` for the first request (the sweep uses
 * the same id, so it only starts a run if that request never arrived), and
 * a suffix for a later, deliberate re-request (`key`).
 */
export function deliveryRequest(data: DeliveryRequestedData, key = "first") {
  return {
    id: key === "first" ? `deliver-${data.deliveryId}` : `deliver-${data.deliveryId}-${key}`,
    name: DELIVERY_REQUESTED,
    data,
  };
}
