import { inngest } from "@/inngest/client";
import { parseEventData } from "@/inngest/functions/parse";
import { attemptDelivery } from "@/lib/delivery/attempt";
import { failStrandedDelivery } from "@/lib/delivery/failure";
import { settings } from "@/lib/env";
import { DELIVERY_REQUESTED, deliveryRequestedData, WEBHOOK_DELETED } from "@/lib/jobs/events";

/**
 * Delivers one message: attempt, then sleep on the retry schedule (or a
 * longer Retry-After) until it succeeds, is gone (410), its webhook is
 * deleted or disabled, or the schedule runs out. Each attempt is one durable
 * step, so a crash never repeats a finished attempt or loses a scheduled one.
 * Deleting the webhook cancels the run at once (cancelOn); every attempt also
 * re-checks that the webhook still exists. A step that keeps throwing (an
 * undecryptable secret, a database error) is retried `retries` times; then
 * onFailure settles the delivery as `failed` with the reason.
 */
export const deliver = inngest.createFunction(
  {
    id: "deliver",
    // The delivery's own retries are the loop below; these are for a step that throws.
    retries: 3,
    throttle: { key: "event.data.webhookId", limit: settings().WEBHOOK_DELIVERY_RATE_PER_SECOND, period: "1s" },
    cancelOn: [{ event: WEBHOOK_DELETED, match: "data.webhookId" }],
    triggers: [{ event: DELIVERY_REQUESTED }],
    onFailure: async ({ event, error, step }) => {
      const { deliveryId } = parseEventData(deliveryRequestedData, event.data.event.data, DELIVERY_REQUESTED);
      await step.run("record-failure", () => failStrandedDelivery(deliveryId, error.message));
    },
  },
  async ({ event, step }) => {
    const { deliveryId } = parseEventData(deliveryRequestedData, event.data, DELIVERY_REQUESTED);
    for (let attempt = 1; ; attempt++) {
      const outcome = await step.run(`attempt-${attempt}`, () => attemptDelivery(deliveryId, attempt));
      if (outcome.done) return { status: outcome.status, attempts: attempt };
      // Inngest sleeps have a resolution of one second: round up, so a retry never comes early.
      await step.sleep(`wait-before-attempt-${attempt + 1}`, Math.max(1, Math.ceil(outcome.retryInSeconds)) * 1000);
    }
  },
);
