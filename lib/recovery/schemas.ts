import { z } from "zod";

/** Shapes of bulk recovery (also the source of the OpenAPI document). */

/** The longest a recovery reaches back: `since` at most this long ago (Svix's limit too). */
export const MAX_RECOVERY_DAYS = 14;
/** The most deliveries one recovery replays; a wider outage is recovered in several windows. */
export const MAX_RECOVERY_DELIVERIES = 100_000;
/** Clock skew tolerated on `until` (a client's "now" a little ahead of ours); clamped to now. */
const SKEW_MS = 60_000;

export const recoveryIdSchema = z.string().regex(/^rcv_[0-9A-Za-z]{10,40}$/);

const isoTime = z.iso.datetime({ offset: true });

/** The window, checked against the clock: since < until, neither in the future, since within MAX_RECOVERY_DAYS. */
function windowOf(input: { since: string; until?: string | undefined }, ctx: z.RefinementCtx) {
  const now = Date.now();
  const since = new Date(input.since);
  const until = input.until === undefined ? new Date(now) : new Date(input.until);
  if (since.getTime() > now) ctx.addIssue({ code: "custom", path: ["since"], message: "must not be in the future" });
  if (until.getTime() > now + SKEW_MS)
    ctx.addIssue({ code: "custom", path: ["until"], message: "must not be in the future" });
  if (since.getTime() >= until.getTime())
    ctx.addIssue({ code: "custom", path: ["until"], message: "must be later than since" });
  if (now - since.getTime() > MAX_RECOVERY_DAYS * 86_400_000)
    ctx.addIssue({ code: "custom", path: ["since"], message: `must be within the last ${MAX_RECOVERY_DAYS} days` });
  return { since, until: new Date(Math.min(until.getTime(), now)) };
}

const windowFields = {
  since: isoTime.describe("Start of the window (inclusive): deliveries created at or after this time"),
  until: isoTime
    .optional()
    .describe("End of the window (exclusive); default: now. Neither may be in the future; at most 14 days back"),
};

export const recoverBodySchema = z
  .strictObject(windowFields)
  .transform((input, ctx) => windowOf(input, ctx))
  .describe("The time window of the failed deliveries to replay");

/** The dry run (GET …/recover?since=…): the same window as query parameters. */
export const recoverQueryFieldsSchema = z.strictObject(windowFields);
export const recoverQuerySchema = recoverQueryFieldsSchema.transform((input, ctx) => windowOf(input, ctx));

export type RecoveryWindow = { since: Date; until: Date };

export const recoveryCountSchema = z.object({
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  total: z.number().int().describe("How many deliveries a recovery of this window would replay now"),
});

export const recoveryViewSchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  status: z
    .enum(["running", "completed", "cancelled", "failed"])
    .describe("running until every replay is settled; cancelled when the webhook is deleted"),
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  total: z
    .number()
    .int()
    .describe("Deliveries to replay: counted when the recovery starts, exact (the replays made) once it has finished"),
  sent: z.number().int().describe("Replays sent and settled: succeeded + failed"),
  succeeded: z.number().int(),
  failed: z.number().int(),
  createdAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  error: z.string().nullable(),
});
export type RecoveryView = z.infer<typeof recoveryViewSchema>;
