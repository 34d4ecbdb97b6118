import type { Webhook } from "@/lib/generated/prisma/client";
import { MASKED_SECRET } from "@/lib/webhooks/secret";
import type { WebhookView } from "@/lib/webhooks/schemas";

/** The API's view of a webhook: the secret is always masked here. */
export function toWebhookView(w: Webhook): WebhookView {
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
