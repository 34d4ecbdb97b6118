import type { Webhook } from "@/lib/generated/prisma/client";
import { MASKED_SECRET } from "@/lib/webhooks/secret";
import type { WebhookView } from "@/lib/webhooks/schemas";

/** The columns the view needs (for `select`). */
export const webhookViewSelect = {
  id: true,
  url: true,
  events: true,
  isActive: true,
  disabledReason: true,
  lastTriggeredAt: true,
  failureCount: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Partial<Record<keyof Webhook, true>>;

/** The API's view of a webhook: the secret is always masked here. */
export function toWebhookView(w: Pick<Webhook, keyof typeof webhookViewSelect>): WebhookView {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    isActive: w.isActive,
    disabledReason: w.disabledReason,
    lastTriggeredAt: w.lastTriggeredAt?.toISOString() ?? null,
    failureCount: w.failureCount,
    secret: MASKED_SECRET,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}
