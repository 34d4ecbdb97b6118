/**
 * Seeds a delivery log quickly (generate_series in SQL, no round trip per
 * row): `count` Delivery rows for one webhook, spread over the last
 * ~`count` × 2 s (1,000,000 rows ≈ 23 days, inside the default 30-day
 * retention), newest first in id order too, with a realistic mix:
 *   90 %  succeeded  (success true, 200; 1 attempt, 1 in 10 of them 2)
 *    8 %  failed     (success false, 500 every time; 8 attempts: the whole default schedule)
 *    2 %  pending    (success false, 503; 1–3 attempts so far, next attempt scheduled)
 * i.e. 10 % with success=false, and ~1.25 DeliveryAttempt rows per delivery.
 * Then VACUUM ANALYZE (as autovacuum would), so the planner has statistics.
 *
 *   node --conditions=react-server --import tsx scripts/bench/seed-deliveries.ts --database-url <url> --webhook <whk_…> [--count 1000000]
 * (the webhook must exist; its workspace and URL are read from it). Used by
 * `npm run bench:log`.
 */
import { parseArgs } from "node:util";
import pg from "pg";
import { callEnded } from "@/lib/events/catalog/call-ended";

export type SeedResult = { deliveries: number; attempts: number; failedShare: number; seconds: number };

export async function seedDeliveries(
  databaseUrl: string,
  webhookId: string,
  count: number,
  log: (m: string) => void = () => undefined,
): Promise<SeedResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const t0 = Date.now();
  try {
    const hook = await client.query<{ workspaceId: string; url: string }>(
      `SELECT "workspaceId", url FROM "Webhook" WHERE id = $1`,
      [webhookId],
    );
    const w = hook.rows[0];
    if (!w) throw new Error(`webhook ${webhookId} not found`);
    const payload = JSON.stringify({
      type: "call.ended",
      timestamp: "2026-04-18T14:23:10.000Z",
      data: callEnded.example,
    });
    await client.query("SET synchronous_commit = off");
    log(`inserting ${count.toLocaleString("en")} deliveries…`);
    // g = 1 is the newest. kind of row by g % 50: 0..3 failed (8 %), 4 pending (2 %), else succeeded.
    await client.query(
      `INSERT INTO "Delivery" (id, "workspaceId", "webhookId", "eventId", "messageId", "eventType", kind, payload, url,
                               status, success, "statusCode", "responseHeaders", "responseBody", "responseBodyTruncated",
                               "durationMs", "attemptCount", "nextAttemptAt", error, "createdAt", "updatedAt")
       SELECT 'dlv_seed' || lpad((10000000000 - g)::text, 11, '0'), $1, $2,
              'evt_seed' || lpad((10000000000 - g)::text, 11, '0'),
              'msg_seed' || lpad((10000000000 - g)::text, 11, '0'),
              (ARRAY['call.ended','call.ended','call.ended','call.started','call.missed','appointment.scheduled'])[1 + g % 6],
              'event', $3, $4,
              s.status::"DeliveryStatus", s.success, s.code,
              jsonb_build_object('content-type', 'text/plain', 'content-length', '2'),
              CASE WHEN s.success THEN 'ok' ELSE 'Internal Server Error' END, false,
              20 + ((g::bigint * 7919) % 280)::int, s.attempts,
              CASE WHEN s.status = 'pending' THEN c.at + interval '30 minutes' END,
              CASE WHEN s.success THEN NULL ELSE 'endpoint answered ' || s.code END,
              c.at, c.at + (s.attempts - 1) * interval '5 minutes'
         FROM generate_series(1, $5::int) g
        CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE 'UTC') - g * interval '2 seconds' AS at) c
        CROSS JOIN LATERAL (
          SELECT CASE WHEN g % 50 < 4 THEN 'failed' WHEN g % 50 = 4 THEN 'pending' ELSE 'succeeded' END AS status,
                 g % 50 >= 5 AS success,
                 CASE WHEN g % 50 < 4 THEN 500 WHEN g % 50 = 4 THEN 503 ELSE 200 END AS code,
                 CASE WHEN g % 50 < 4 THEN 8 WHEN g % 50 = 4 THEN 1 + g % 3 WHEN g % 10 = 7 THEN 2 ELSE 1 END AS attempts
        ) s`,
      [w.workspaceId, webhookId, payload, w.url, count],
    );
    log("inserting their attempts…");
    const att = await client.query(
      `INSERT INTO "DeliveryAttempt" (id, "deliveryId", "attemptNumber", "startedAt", "statusCode", "durationMs", error)
       SELECT 'att_seed' || substr(d.id, 9) || '_' || n, d.id, n, d."createdAt" + (n - 1) * interval '5 minutes',
              CASE WHEN n = d."attemptCount" THEN d."statusCode" WHEN d.success THEN 500 ELSE d."statusCode" END,
              d."durationMs",
              CASE WHEN n = d."attemptCount" AND d.success THEN NULL ELSE 'endpoint answered ' ||
                   CASE WHEN n = d."attemptCount" THEN d."statusCode" WHEN d.success THEN 500 ELSE d."statusCode" END END
         FROM "Delivery" d CROSS JOIN LATERAL generate_series(1, d."attemptCount") n
        WHERE d."webhookId" = $1 AND d.id LIKE 'dlv_seed%'`,
      [webhookId],
    );
    log("VACUUM ANALYZE…");
    await client.query(`VACUUM ANALYZE "Delivery"`);
    await client.query(`VACUUM ANALYZE "DeliveryAttempt"`);
    return { deliveries: count, attempts: att.rowCount ?? 0, failedShare: 0.1, seconds: (Date.now() - t0) / 1000 };
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { "database-url": { type: "string" }, webhook: { type: "string" }, count: { type: "string" } },
  });
  if (!values["database-url"] || !values.webhook) {
    process.stderr.write("usage: seed-deliveries.ts --database-url <url> --webhook <whk_…> [--count 1000000]\n");
    process.exit(2);
  }
  seedDeliveries(values["database-url"], values.webhook, Number(values.count ?? 1_000_000), (m) =>
    process.stdout.write(`${m}\n`),
  ).then(
    (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
    (err: unknown) => {
      process.stderr.write(`seeding failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
