import { inngest } from "@/inngest/client";
import { DELIVERY_REQUESTED, EVENT_PUBLISHED, type EventPublishedData } from "@/inngest/events";
import { createDeliveriesForEvent } from "@/lib/delivery/fan-out";

/** One published event → one delivery per subscribed, active webhook of its workspace. */
export const fanOut = inngest.createFunction(
  { id: "fan-out", retries: 10, triggers: [{ event: EVENT_PUBLISHED }] },
  async ({ event, step }) => {
    const { eventId } = event.data as EventPublishedData;
    const deliveries = await step.run("create-deliveries", () => createDeliveriesForEvent(eventId));
    if (deliveries.length > 0) {
      await step.sendEvent(
        "request-deliveries",
        deliveries.map((d) => ({
          id: `deliver-${d.deliveryId}`,
          name: DELIVERY_REQUESTED,
          data: { deliveryId: d.deliveryId, webhookId: d.webhookId, kind: "event" as const },
        })),
      );
    }
    return { deliveries: deliveries.length };
  },
);
