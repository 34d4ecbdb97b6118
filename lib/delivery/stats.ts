import { z } from "zod";
import { db } from "@/lib/db";

/**
 * Delivery health over the last 24 hours, computed in SQL from the attempt
 * log (`DeliveryAttempt` joined to `Delivery` for the workspace and webhook
 * ids). Every HTTP attempt counts once, retries and replays included; a
 * 2xx answer is a success, anything else (other status, timeout, TLS or
 * connection error) a failure.
 *
 * Beside the attempts, `deliveries` counts the deliveries created in the
 * window by outcome: a delivery that failed twice and then succeeded is three
 * attempts (one success) but one succeeded delivery.
 *
 * The window is 24 hourly buckets aligned to UTC hours: the first starts 23
 * hours before the start of the current hour, the last is the current
 * (partial) hour. Empty buckets are returned with zero counts and null
 * latencies, so charts get a continuous axis.
 */

export const HOURS = 24;
const HOUR_MS = 3_600_000;

export const healthBucketSchema = z.object({
  bucketStart: z.iso.datetime(),
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  p50Ms: z.number().int().nullable().describe("Median attempt duration in the hour; null without attempts"),
  p95Ms: z.number().int().nullable(),
});

export const webhookHealthSchema = z.object({
  from: z.iso.datetime().describe("Start of the first bucket"),
  to: z.iso.datetime().describe("End of the last bucket (the end of the current hour)"),
  buckets: z.array(healthBucketSchema).length(HOURS),
  totals: z.object({
    total: z.number().int(),
    succeeded: z.number().int(),
    failed: z.number().int(),
    successRate: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe("succeeded / total over the window; null without attempts"),
    p50Ms: z.number().int().nullable(),
    p95Ms: z.number().int().nullable(),
  }),
  deliveries: z
    .object({
      settled: z.number().int().describe("Deliveries created in the window that have ended (not pending)"),
      succeeded: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int().describe("Ended without success because the endpoint was disabled or deleted"),
      pending: z.number().int().describe("Still being delivered or waiting for a retry"),
      successRate: z
        .number()
        .min(0)
        .max(1)
        .nullable()
        .describe("succeeded / settled: the share of deliveries that reached the endpoint; null without any"),
    })
    .describe(
      "Deliveries (one per event, test or replay) created in the window, by outcome: unlike `totals`, a delivery that succeeded after retries counts once, as a success",
    ),
});
export type WebhookHealth = z.infer<typeof webhookHealthSchema>;
export type HealthBucket = z.infer<typeof healthBucketSchema>;

export const sparklineSchema = z.object({
  webhookId: z.string(),
  buckets: z
    .array(z.object({ bucketStart: z.iso.datetime(), succeeded: z.number().int(), failed: z.number().int() }))
    .length(HOURS),
});
export const webhookSparklinesSchema = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  webhooks: z.array(sparklineSchema),
});
export type WebhookSparklines = z.infer<typeof webhookSparklinesSchema>;
export type Sparkline = z.infer<typeof sparklineSchema>;

/** Start of the first bucket and end of the last for `now`. */
export function healthWindow(now: Date = new Date()): { from: Date; to: Date } {
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return { from: new Date(currentHour - (HOURS - 1) * HOUR_MS), to: new Date(currentHour + HOUR_MS) };
}

/**
 * Timestamps are `timestamp(3)` (without time zone) holding UTC: pass bounds
 * as ISO text cast to timestamp, which PostgreSQL reads ignoring the `Z`,
 * so the connection's TimeZone setting cannot shift the window.
 */
const ts = (d: Date) => d.toISOString().replace("Z", "");

const bucketStartOf = (from: Date, index: number) => new Date(from.getTime() + index * HOUR_MS).toISOString();
const round = (v: number | null): number | null => (v === null ? null : Math.round(v));

type OutcomeRow = { status: "pending" | "succeeded" | "failed" | "cancelled"; n: number };

type HealthRow = { bucket: number | null; total: number; succeeded: number; p50: number | null; p95: number | null };

/** Hourly and total success counts and latency percentiles of one webhook (the caller has checked it is the workspace's). */
export async function webhookHealth(
  workspaceId: string,
  webhookId: string,
  now: Date = new Date(),
): Promise<WebhookHealth> {
  const { from, to } = healthWindow(now);
  // One pass: GROUPING SETS gives the per-hour rows and the window total
  // (bucket null); percentiles of the whole window cannot be derived from
  // hourly ones, so they are computed over the raw attempts too.
  const rows = await db.$queryRaw<HealthRow[]>`
    SELECT x.bucket,
           count(*)::int AS total,
           (count(*) FILTER (WHERE x.ok))::int AS succeeded,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY x.ms)::float8 AS p50,
           percentile_cont(0.95) WITHIN GROUP (ORDER BY x.ms)::float8 AS p95
    FROM (
      SELECT floor(extract(epoch FROM (a."startedAt" - ${ts(from)}::timestamp)) / 3600)::int AS bucket,
             coalesce(a."statusCode" BETWEEN 200 AND 299, false) AND a."error" IS NULL AS ok,
             a."durationMs" AS ms
      FROM "DeliveryAttempt" a
      JOIN "Delivery" d ON d."id" = a."deliveryId"
      WHERE d."workspaceId" = ${workspaceId}
        AND d."webhookId" = ${webhookId}
        AND a."startedAt" >= ${ts(from)}::timestamp
        AND a."startedAt" < ${ts(to)}::timestamp
    ) x
    GROUP BY GROUPING SETS ((x.bucket), ())
  `;

  // Outcomes of the deliveries created in the window (index on webhookId, workspaceId, createdAt).
  const outcomes = await db.$queryRaw<OutcomeRow[]>`
    SELECT d."status"::text AS status, count(*)::int AS n
    FROM "Delivery" d
    WHERE d."workspaceId" = ${workspaceId}
      AND d."webhookId" = ${webhookId}
      AND d."createdAt" >= ${ts(from)}::timestamp
      AND d."createdAt" < ${ts(to)}::timestamp
    GROUP BY d."status"
  `;
  const count = (status: OutcomeRow["status"]) => outcomes.find((o) => o.status === status)?.n ?? 0;
  const settled = count("succeeded") + count("failed") + count("cancelled");

  const byBucket = new Map<number, HealthRow>();
  let totalRow: HealthRow | undefined;
  for (const r of rows) {
    if (r.bucket === null) totalRow = r;
    else byBucket.set(r.bucket, r);
  }
  const buckets: HealthBucket[] = Array.from({ length: HOURS }, (_, i) => {
    const r = byBucket.get(i);
    return {
      bucketStart: bucketStartOf(from, i),
      total: r?.total ?? 0,
      succeeded: r?.succeeded ?? 0,
      failed: r ? r.total - r.succeeded : 0,
      p50Ms: round(r?.p50 ?? null),
      p95Ms: round(r?.p95 ?? null),
    };
  });
  const total = totalRow?.total ?? 0;
  const succeeded = totalRow?.succeeded ?? 0;
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    buckets,
    totals: {
      total,
      succeeded,
      failed: total - succeeded,
      successRate: total === 0 ? null : succeeded / total,
      p50Ms: round(totalRow?.p50 ?? null),
      p95Ms: round(totalRow?.p95 ?? null),
    },
    deliveries: {
      settled,
      succeeded: count("succeeded"),
      failed: count("failed"),
      cancelled: count("cancelled"),
      pending: count("pending"),
      successRate: settled === 0 ? null : count("succeeded") / settled,
    },
  };
}

type SparkRow = { webhookId: string; bucket: number | null; succeeded: number; failed: number };

/**
 * Hourly succeeded/failed attempt counts of every webhook of the workspace
 * over the same 24 h window, for the list's sparklines: one query for all
 * webhooks (aggregated in SQL; hours without attempts are filled in here).
 * Webhooks without attempts get 24 zero buckets.
 */
export async function workspaceSparklines(workspaceId: string, now: Date = new Date()): Promise<WebhookSparklines> {
  const { from, to } = healthWindow(now);
  const rows = await db.$queryRaw<SparkRow[]>`
    SELECT w."id" AS "webhookId",
           x.bucket,
           (count(*) FILTER (WHERE x.ok))::int AS succeeded,
           (count(*) FILTER (WHERE x.ok = false))::int AS failed
    FROM "Webhook" w
    LEFT JOIN (
      SELECT d."webhookId",
             floor(extract(epoch FROM (a."startedAt" - ${ts(from)}::timestamp)) / 3600)::int AS bucket,
             coalesce(a."statusCode" BETWEEN 200 AND 299, false) AND a."error" IS NULL AS ok
      FROM "DeliveryAttempt" a
      JOIN "Delivery" d ON d."id" = a."deliveryId"
      WHERE d."workspaceId" = ${workspaceId}
        AND a."startedAt" >= ${ts(from)}::timestamp
        AND a."startedAt" < ${ts(to)}::timestamp
    ) x ON x."webhookId" = w."id"
    WHERE w."workspaceId" = ${workspaceId}
    GROUP BY w."id", w."createdAt", x.bucket
    ORDER BY w."createdAt" DESC, w."id" DESC, x.bucket
  `;

  const byWebhook = new Map<string, Sparkline>();
  for (const r of rows) {
    let line = byWebhook.get(r.webhookId);
    if (!line) {
      line = {
        webhookId: r.webhookId,
        buckets: Array.from({ length: HOURS }, (_, i) => ({
          bucketStart: bucketStartOf(from, i),
          succeeded: 0,
          failed: 0,
        })),
      };
      byWebhook.set(r.webhookId, line);
    }
    const b = r.bucket === null ? undefined : line.buckets[r.bucket];
    if (b) {
      b.succeeded = r.succeeded;
      b.failed = r.failed;
    }
  }
  return { from: from.toISOString(), to: to.toISOString(), webhooks: [...byWebhook.values()] };
}
