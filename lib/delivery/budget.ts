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
 * when the endpoint's budget is entirely free again. Handing it n deliveries
 * moves `nextFreeAt` on by n / rate seconds — ALL n, those attempted here and
 * those handed to throttled `deliver` runs (which send them later at the same
 * rate) — and grants at once only what fits in one second's worth of it
 * (burst = rate, like the throttle's period of 1 s). So while an endpoint has
 * a backlog, the fan-out attempts nothing for it and everything goes through
 * the throttled runs; an idle endpoint gets up to `rate` first attempts at
 * once, then one every 1/rate s.
 *
 * One statement per batch (an upsert that locks each endpoint's row), atomic.
 */

const EPSILON = 1e-6;

/** How many of `wanted[webhookId]` deliveries may be attempted now; webhooks that no longer exist get 0. */
export async function reserveFirstAttempts(wanted: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const granted = new Map<string, number>();
  if (wanted.size === 0) return granted;
  const rate = settings().WEBHOOK_DELIVERY_RATE_PER_SECOND;
  const intervalMs = 1000 / rate;
  const ids = [...wanted.keys()].sort();
  const counts = ids.map((id) => wanted.get(id)!);
  const rows = await db.$queryRaw<Array<{ webhookId: string; slackMs: number }>>`
    INSERT INTO "WebhookSendBudget" AS b ("webhookId", "nextFreeAt")
    SELECT x.id, (now() AT TIME ZONE 'UTC') + make_interval(secs => x.n * ${intervalMs}::float8 / 1000)
      FROM unnest(${ids}::text[], ${counts}::int[]) AS x(id, n)
     WHERE EXISTS (SELECT 1 FROM "Webhook" w WHERE w.id = x.id)
     ORDER BY x.id
    ON CONFLICT ("webhookId") DO UPDATE
       SET "nextFreeAt" = GREATEST(b."nextFreeAt", now() AT TIME ZONE 'UTC')
                          + (EXCLUDED."nextFreeAt" - (now() AT TIME ZONE 'UTC'))
    RETURNING "webhookId",
              (extract(epoch FROM ((now() AT TIME ZONE 'UTC') + interval '1 second' - "nextFreeAt")) * 1000)::float8 AS "slackMs"`;
  for (const r of rows) {
    const n = wanted.get(r.webhookId) ?? 0;
    // The reservation started at nextFreeAt - n·interval; what of it falls within one second from now is granted.
    const fits = Math.floor((r.slackMs + n * intervalMs) / intervalMs + EPSILON);
    granted.set(r.webhookId, Math.max(0, Math.min(n, fits)));
  }
  return granted;
}
