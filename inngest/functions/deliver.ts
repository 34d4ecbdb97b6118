import { inngest } from "@/inngest/client";
import { DELIVERY_REQUESTED, WEBHOOK_DELETED, type DeliveryRequestedData } from "@/inngest/events";
import { attemptDelivery } from "@/lib/delivery/attempt";
import { settings } from "@/lib/env";

/**
 * Delivers one message: attempt, then sleep on the retry schedule (or the
 * receiver's Retry-After) until it succeeds, is gone (410), its webhook is
 * deleted or disabled, or the schedule runs out. Each attempt is one durable
 * step, so a crash never repeats a finished attempt or loses a scheduled one.
 * Deleting the webhook cancels the run at once (cancelOn); every attempt also
 * re-checks that the webhook still exists.
 */
export const deliver = inngest.createFunction(
  {
    id: "deliver",
    // Retries are the function's own loop below; a crashed step is retried by the executor.
    retries: 3,
    throttle: { key: "event.data.webhookId", limit: settings().WEBHOOK_DELIVERY_RATE_PER_SECOND, period: "1s" },
    cancelOn: [{ event: WEBHOOK_DELETED, match: "data.webhookId" }],
    triggers: [{ event: DELIVERY_REQUESTED }],
  },
  async ({ event, step }) => {
    const { deliveryId } = event.data as DeliveryRequestedData;
    for (let attempt = 1; ; attempt++) {
      const outcome = await step.run(`attempt-${attempt}`, () => attemptDelivery(deliveryId, attempt));
      if (outcome.done) return { status: outcome.status, attempts: attempt };
      // Inngest sleeps have a resolution of one second.
      await step.sleep(`wait-before-attempt-${attempt + 1}`, Math.max(1000, Math.round(outcome.retryInSeconds * 1000)));
    }
  },
);
