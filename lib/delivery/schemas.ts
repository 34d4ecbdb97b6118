import { z } from "zod";
import { EVENT_TYPES, eventTypeSchema } from "@/lib/events/catalog";

/** Shapes of the delivery half of the API (also the source of the OpenAPI document). */

export const deliveryIdSchema = z.string().regex(/^dlv_[0-9A-Za-z]{10,40}$/);

export const listDeliveriesQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  success: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
  eventType: z.enum(EVENT_TYPES).optional(),
});

export const testEventSchema = z.strictObject({ event: eventTypeSchema });

export const attemptViewSchema = z.object({
  attempt: z.number().int(),
  at: z.iso.datetime(),
  statusCode: z.number().int().nullable(),
  durationMs: z.number().int(),
  error: z.string().nullable(),
});

export const deliveryViewSchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  messageId: z.string().describe("The webhook-id header: identical on every attempt and replay"),
  eventId: z.string().nullable(),
  eventType: z.string(),
  kind: z.enum(["event", "test", "replay"]),
  replayOf: z.string().nullable(),
  status: z.enum(["pending", "succeeded", "failed", "cancelled"]),
  payload: z.unknown().describe("Exactly the JSON body that was sent"),
  url: z.string(),
  success: z.boolean().nullable(),
  statusCode: z.number().int().nullable(),
  response: z
    .object({
      status: z.number().int(),
      headers: z.record(z.string(), z.string()),
      body: z.string(),
      bodyTruncated: z.boolean(),
    })
    .nullable(),
  durationMs: z.number().int().nullable(),
  attempts: z.array(attemptViewSchema),
  nextAttemptAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
  createdAt: z.iso.datetime(),
});
export type DeliveryView = z.infer<typeof deliveryViewSchema>;

export const publishEventSchema = z.strictObject({
  type: eventTypeSchema,
  data: z.record(z.string(), z.unknown()),
  timestamp: z.iso.datetime({ offset: true }).optional(),
});
