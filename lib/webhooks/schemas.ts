import { z } from "zod";
import { webhookUrlSchema } from "@/lib/outbound/ssrf";
import { EVENT_TYPES, eventTypeSchema } from "@/lib/events/catalog";

/** Input and output shapes of the subscription API (also the source of the OpenAPI document). */

export const eventListSchema = z
  .array(eventTypeSchema)
  .min(1, "choose at least one event type")
  .max(EVENT_TYPES.length)
  .superRefine((events, ctx) => {
    const seen = new Set<string>();
    for (const [i, e] of events.entries()) {
      if (seen.has(e))
        ctx.addIssue({ code: "custom", path: [i], message: `duplicate event type ${JSON.stringify(e)}` });
      seen.add(e);
    }
  });

export const createWebhookSchema = z.strictObject({
  url: webhookUrlSchema,
  events: eventListSchema,
});

export const updateWebhookSchema = z
  .strictObject({
    url: webhookUrlSchema.optional(),
    events: eventListSchema.optional(),
    isActive: z.boolean().optional(),
  })
  .refine((v) => v.url !== undefined || v.events !== undefined || v.isActive !== undefined, {
    message: "send at least one of url, events, isActive",
  });

export const webhookIdSchema = z.string().regex(/^whk_[0-9A-Za-z]{10,40}$/);

export const webhookViewSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.string()),
  isActive: z.boolean(),
  disabledReason: z.string().nullable(),
  lastTriggeredAt: z.iso.datetime().nullable(),
  failureCount: z.number().int(),
  secret: z.string().describe("Always masked (whsec_••••••••••) except in the create and rotate responses"),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type WebhookView = z.infer<typeof webhookViewSchema>;

export const webhookWithSecretSchema = webhookViewSchema.extend({
  secret: z.string().describe("The plaintext signing secret, shown this once"),
});
