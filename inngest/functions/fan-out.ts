import { inngest } from "@/inngest/client";
import { parseEventData } from "@/inngest/functions/parse";
import { failUndeliveredForEvent } from "@/lib/delivery/failure";
import { createDeliveriesForEvent } from "@/lib/delivery/fan-out";
import { deliveryRequest, EVENT_PUBLISHED, eventPublishedData } from "@/lib/jobs/events";

/**
 * One published event → one delivery per subscribed, active webhook of its
 * workspace. If it cannot finish, onFailure settles the deliveries it made
 * that were never attempted as `failed`, with the reason.
 */
export const fanOut = inngest.createFunction(
  {
    id: "fan-out",
    retries: 10,
    triggers: [{ event: EVENT_PUBLISHED }],
    onFailure: async ({ event, error, step }) => {
      const { eventId } = parseEventData(eventPublishedData, event.data.event.data, EVENT_PUBLISHED);
      await step.run("record-failure", () => failUndeliveredForEvent(eventId, `fan-out failed: ${error.message}`));
    },
  },
  async ({ event, step }) => {
    const { eventId } = parseEventData(eventPublishedData, event.data, EVENT_PUBLISHED);
    const deliveries = await step.run("create-deliveries", () => createDeliveriesForEvent(eventId));
    if (deliveries.length > 0) {
      await step.sendEvent(
        "request-deliveries",
        deliveries.map((d) => deliveryRequest({ deliveryId: d.deliveryId, webhookId: d.webhookId, kind: "event" })),
      );
    }
    return { deliveries: deliveries.length };
  },
);
