import { z } from "zod";

/**
 * Operational events: what the platform tells a workspace about its own
 * endpoints, sent to the workspace's operational webhook (lib/operational),
 * never to customer endpoints. They are NOT part of the subscribable event
 * catalog (lib/events/catalog): no webhook can subscribe to them and
 * POST /api/v1/events refuses them.
 */

const isoDate = z.iso.datetime({ offset: true });

export const webhookDisabledDataSchema = z.object({
  webhookId: z.string().describe("The disabled webhook"),
  url: z.string().describe("Its URL when it was disabled"),
  reason: z.string().describe("Why it was disabled (the webhook's `disabledReason`)"),
  disabledAt: isoDate.describe("When it was disabled"),
});

export const webhookRecoveredDataSchema = z.object({
  webhookId: z.string().describe("The webhook whose failed deliveries were re-sent"),
  recoveryId: z.string().describe("The recovery (POST /api/v1/webhooks/:id/recover)"),
  total: z.number().int().min(0).describe("Failed deliveries in the window, each re-sent once"),
  succeeded: z.number().int().min(0),
  failed: z.number().int().min(0),
  since: isoDate.describe("Start of the recovered window"),
  until: isoDate.describe("End of the recovered window"),
});

export type OperationalEventDefinition<T extends string, S extends z.ZodType> = {
  type: T;
  description: string;
  schema: S;
  example: z.input<S>;
};

export const OPERATIONAL_EVENTS = [
  {
    type: "webhook.disabled",
    description:
      "An endpoint was disabled automatically (410 Gone, too many consecutive failed deliveries, or days of failure). " +
      "Nothing more is sent to it until someone re-enables it (which probes it first).",
    schema: webhookDisabledDataSchema,
    example: {
      webhookId: "whk_01JD3Q3Q2V8R6Z4N9K7M5P1X2C",
      url: "https://example.com/akol-webhook",
      reason: "100 consecutive deliveries failed",
      disabledAt: "2026-11-30T21:04:12.000Z",
    },
  },
  {
    type: "webhook.recovered",
    description:
      "A bulk recovery (re-sending every failed delivery of an endpoint in a time window) has finished: how many were re-sent and how they ended.",
    schema: webhookRecoveredDataSchema,
    example: {
      webhookId: "whk_01JD3Q3Q2V8R6Z4N9K7M5P1X2C",
      recoveryId: "rcv_01JD3R0B1F7W4T2Y6H8K0N3M5Q",
      total: 120,
      succeeded: 118,
      failed: 2,
      since: "2026-11-30T20:00:00.000Z",
      until: "2026-11-30T21:00:00.000Z",
    },
  },
] as const satisfies readonly OperationalEventDefinition<string, z.ZodType>[];

export type OperationalEventType = (typeof OPERATIONAL_EVENTS)[number]["type"];
export type OperationalEventDataInput<T extends OperationalEventType> = z.input<
  Extract<(typeof OPERATIONAL_EVENTS)[number], { type: T }>["schema"]
>;

export function findOperationalEvent<T extends OperationalEventType>(type: T) {
  return OPERATIONAL_EVENTS.find((e) => e.type === type) as Extract<(typeof OPERATIONAL_EVENTS)[number], { type: T }>;
}
