import { inngest } from "@/inngest/client";
import { findStrandedDeliveries } from "@/lib/delivery/sweep";
import { deliveryRequest } from "@/lib/jobs/events";

/** Every 5 minutes: request again the deliveries left `pending` with no live run (lib/delivery/sweep.ts). */
export const sweep = inngest.createFunction(
  { id: "sweep-stranded-deliveries", retries: 3, triggers: [{ cron: "*/5 * * * *" }] },
  async ({ step }) => {
    const stranded = await step.run("find-stranded", () => findStrandedDeliveries());
    if (stranded.length > 0)
      await step.sendEvent(
        "request-again",
        stranded.map((s) => deliveryRequest(s.data, s.key)),
      );
    return { requested: stranded.length };
  },
);
