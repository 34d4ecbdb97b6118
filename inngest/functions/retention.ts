import { inngest } from "@/inngest/client";
import { purgeExpired } from "@/lib/delivery/retention";

/** Daily at 03:17 UTC: purge delivery logs, events and idempotency keys past their retention. */
export const retention = inngest.createFunction(
  { id: "retention", retries: 3, triggers: [{ cron: "17 3 * * *" }] },
  async ({ step }) => step.run("purge-expired", () => purgeExpired()),
);
