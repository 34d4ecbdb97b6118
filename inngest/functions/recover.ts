import { inngest } from "@/inngest/client";
import { parseEventData } from "@/inngest/functions/parse";
import { RECOVERY_REQUESTED, recoveryRequestedData, WEBHOOK_DELETED } from "@/lib/jobs/events";
import { announceRecovered, finishRecovery, replayNextChunk, type Cursor } from "@/lib/recovery/recover";

/**
 * A bulk recovery (lib/recovery/recover.ts): replays the endpoint's failed
 * deliveries of a window in chunks, one durable step each, pacing itself by
 * how many of its replays are still pending (the deliver function's
 * per-endpoint throttle sends them), then settles the recovery. A crash
 * resumes after the last finished step; a repeated step re-sends nothing.
 * Deleting the webhook cancels the run at once (cancelOn, like deliver; the
 * deletion also marks the recovery `cancelled`). A step that keeps throwing
 * fails the recovery (onFailure), so it never blocks the endpoint's next one.
 */
export const recover = inngest.createFunction(
  {
    id: "recover-failed-deliveries",
    retries: 3,
    cancelOn: [{ event: WEBHOOK_DELETED, match: "data.webhookId" }],
    triggers: [{ event: RECOVERY_REQUESTED }],
    onFailure: async ({ event, error, step }) => {
      const { recoveryId } = parseEventData(recoveryRequestedData, event.data.event.data, RECOVERY_REQUESTED);
      await step.run("record-failure", () => finishRecovery(recoveryId, "failed", `internal: ${error.message}`));
    },
  },
  async ({ event, step }) => {
    const { recoveryId } = parseEventData(recoveryRequestedData, event.data, RECOVERY_REQUESTED);
    let cursor: Cursor = null;
    let exhausted = false;
    let replayed = 0;
    for (let n = 1; ; n++) {
      const outcome = await step.run(`replay-${n}`, () => replayNextChunk(recoveryId, cursor, exhausted));
      if (outcome.kind === "done") break;
      exhausted = outcome.exhausted;
      if (outcome.kind === "replayed") {
        cursor = outcome.cursor;
        replayed += outcome.count;
      } else {
        await step.sleep(`pace-${n}`, outcome.waitMs);
      }
    }
    const summary = await step.run("finish", () => finishRecovery(recoveryId, "completed"));
    if (summary?.status === "completed") {
      await step.run("announce-recovered", () => announceRecovered(event.data.workspaceId, summary));
    }
    return { recoveryId, replayed, status: summary?.status ?? "not running" };
  },
);
