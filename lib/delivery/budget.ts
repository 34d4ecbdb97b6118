import { db } from "@/lib/db";
import { settings } from "@/lib/env";

/**
 * The per-endpoint budget of the first attempts the batched fan-out makes
 * itself (lib/delivery/first-attempts.ts), so that the endpoint's throttle
 * (WEBHOOK_DELIVERY_RATE_PER_SECOND per second, the `deliver` function's
 * throttle) bounds them too.
 *
 * A GCRA ("generic cell rate algorithm") in PostgreSQL, one row per endpoint
 * (WebhookSendBudget), shared by every instance and durable: `nextFreeAt` is
 * the time slot after the last one given out; slots are 1/rate apart. Handing
 * the endpoint n deliveries takes n slots — ALL n, those attempted here and
 * those handed to throttled `deliver` runs (which send them later at the same
 * rate) — and the fan-out attempts at once only those whose slot falls within
 * the next second, each AT its slot (paced: never two sends to an endpoint
 * closer than 1/rate, so at most `rate` a second from the fan-out); the rest
 * go to the throttled runs. While an endpoint has such a backlog its slots lie
 * in the future, so the fan-out attempts nothing for it and the throttle
 * alone paces it.
 *
 * One statement per batch (an upsert that locks each endpoint's row), atomic;
 * slots are placed after the clock at the moment the row is locked
 * (clock_timestamp), so batches that waited for the lock are not given past
 * slots.
 */

export type Grant = {
  /** How many of the wanted deliveries may be attempted by the fan-out. */
  granted: number;
  /** When the first of them may be sent (ms from now); the next ones follow every `intervalMs`. */
  firstInMs: number;
  intervalMs: number;
};

const EPSILON = 1e-6;

/** The grants for `wanted[webhookId]` deliveries; webhooks that no longer exist get none. */
export async function reserveFirstAttempts(wanted: ReadonlyMap<string, number>): Promise<Map<string, Grant>> {
  const grants = new Map<string, Grant>();
  if (wanted.size === 0) return grants;
  const rate = settings().WEBHOOK_DELIVERY_RATE_PER_SECOND;
  const intervalMs = 1000 / rate;
  const ids = [...wanted.keys()].sort();
  const counts = ids.map((id) => wanted.get(id)!);
  const rows = await db.$queryRaw<Array<{ webhookId: string; aheadMs: number }>>`
    INSERT INTO "WebhookSendBudget" AS b ("webhookId", "nextFreeAt")
    SELECT x.id, (now() AT TIME ZONE 'UTC') + make_interval(secs => x.n * ${intervalMs}::float8 / 1000)
      FROM unnest(${ids}::text[], ${counts}::int[]) AS x(id, n)
     WHERE EXISTS (SELECT 1 FROM "Webhook" w WHERE w.id = x.id)
     ORDER BY x.id
    ON CONFLICT ("webhookId") DO UPDATE
       SET "nextFreeAt" = GREATEST(b."nextFreeAt", clock_timestamp() AT TIME ZONE 'UTC')
                          + (EXCLUDED."nextFreeAt" - (now() AT TIME ZONE 'UTC'))
    RETURNING "webhookId",
              (extract(epoch FROM ("nextFreeAt" - (clock_timestamp() AT TIME ZONE 'UTC'))) * 1000)::float8 AS "aheadMs"`;
  for (const r of rows) {
    const n = wanted.get(r.webhookId) ?? 0;
    // The n slots start at nextFreeAt - n·interval; those within the next second are granted.
    const firstInMs = Math.max(0, r.aheadMs - n * intervalMs);
    const fits = Math.floor((1000 - firstInMs) / intervalMs + EPSILON);
    grants.set(r.webhookId, { granted: Math.max(0, Math.min(n, fits)), firstInMs, intervalMs });
  }
  return grants;
}
