import { inngest } from "@/inngest/client";
import { parseEventData } from "@/inngest/functions/parse";
import { failUndeliveredForEvent } from "@/lib/delivery/failure";
import { createDeliveriesForEvents } from "@/lib/delivery/fan-out";
import { attemptFirstDeliveries } from "@/lib/delivery/first-attempts";
import { deliveryRequest, EVENT_PUBLISHED, eventPublishedData } from "@/lib/jobs/events";
import { log } from "@/lib/log";

/**
 * Inngest's event batching for the fan-out: one run per up to `maxSize`
 * published events, started when the batch is full or `timeout` after its
 * first event (Inngest's minimum). Batching cannot be combined with
 * cancelOn, rateLimit or idempotency, which this function does not use.
 */
export const FAN_OUT_BATCH = { maxSize: 100, timeout: "1s" } as const;

/**
 * A batch of published events → one delivery per subscribed, active webhook
 * of each event's workspace (one step), then their first attempts in one step
 * (lib/delivery/first-attempts.ts: bounded parallelism, the endpoints'
 * budget, one batched write), then a durable `deliver` run only for the
 * deliveries whose first attempt failed or was not made here.
 *
 * If the run cannot finish, onFailure settles the deliveries of the event it
 * is given that were never attempted as `failed`, with the reason. (Inngest
 * gives a failure handler the batch's FIRST event only: the other events'
 * unattempted deliveries stay `pending`, and the sweep requests them.)
 */
export const fanOut = inngest.createFunction(
  {
    id: "fan-out",
    retries: 10,
    triggers: [{ event: EVENT_PUBLISHED }],
    batchEvents: { ...FAN_OUT_BATCH },
    onFailure: async ({ event, error, step }) => {
      const { eventId } = parseEventData(eventPublishedData, event.data.event.data, EVENT_PUBLISHED);
      await step.run("record-failure", () => failUndeliveredForEvent(eventId, `fan-out failed: ${error.message}`));
    },
  },
  async ({ events, step }) => {
    const eventIds: string[] = [];
    for (const e of events) {
      const parsed = eventPublishedData.safeParse(e.data);
      // One malformed event must not hold up the rest of its batch.
      if (parsed.success) eventIds.push(parsed.data.eventId);
      else log.error("fan-out: malformed event in batch, skipped", { id: e.id, issues: parsed.error.issues });
    }
    const deliveries = await step.run("create-deliveries", async () =>
      (await createDeliveriesForEvents(eventIds)).map((d) => d.deliveryId),
    );
    if (deliveries.length === 0) return { events: eventIds.length, deliveries: 0 };
    const first = await step.run("first-attempts", () => attemptFirstDeliveries(deliveries));
    if (first.handOff.length > 0) {
      await step.sendEvent(
        "request-deliveries",
        first.handOff.map((d) => deliveryRequest(d)),
      );
    }
    return {
      events: eventIds.length,
      deliveries: deliveries.length,
      succeeded: first.succeeded,
      cancelled: first.cancelled,
      handedOff: first.handOff.length,
    };
  },
);
