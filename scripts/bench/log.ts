/**
 * `npm run bench:log` — the delivery log with 1,000,000 deliveries of one
 * webhook in the database (seeded in SQL by scripts/bench/seed-deliveries.ts,
 * 10 % of them with success=false), measured one request at a time (~200
 * each, after a warm-up) on the production app:
 *   GET /api/v1/webhooks/:id/deliveries?success=false&page=1
 *   GET …?success=false&page=5000   (the last page of the 100,000 failures)
 *   GET …?page=1 and …?page=5000    (no filter: 1,000,000 rows)
 * Target: p95 < 50 ms for page 1. Also prints EXPLAIN ANALYZE timings of the
 * SQL behind the page (the page's ids, then 20 rows by id; the exact count),
 * to show where the time goes.
 *
 * Needs a production build (`npm run build`). Options (env):
 *   BENCH_LOG_ROWS=1000000  deliveries to seed
 *   BENCH_LOG_REQUESTS=200  measured requests per URL
 *   BENCH_EXPLAIN=1         print the full plans
 *   BENCH_APP_DIR, BENCH_CPU_PROF, BENCH_WAIT_QUIET (see scripts/bench/common.ts)
 */
import os from "node:os";
import pg from "pg";
import {
  assertBuilt,
  api,
  createWebhooks,
  fmt,
  machineLine,
  main,
  pass,
  percentile,
  say,
  startApp,
  startReceiverProcess,
  table,
  waitForQuietMachine,
} from "./common";
import { seedDeliveries } from "./seed-deliveries";

const ROWS = Number(process.env.BENCH_LOG_ROWS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_LOG_REQUESTS ?? 200);
const WARMUP = 20;

type Page = {
  success: boolean;
  data: Array<{ id: string; attempts: unknown[] }>;
  pagination: { page: number; limit: number; total: number; totalPages: number };
};

main(async () => {
  assertBuilt(); // before anything starts: fail clearly without a production build
  say("== bench:log");
  say(machineLine());
  await waitForQuietMachine();
  const receiver = await startReceiverProcess();
  const app = await startApp({
    label: "log",
    env: {
      WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
      NODE_EXTRA_CA_CERTS: receiver.caPath,
      API_RATE_LIMIT_PER_MINUTE: "100000000",
    },
  });
  say(`app started on ${app.url} (data in ${app.dataDir})`);
  const key = await app.createApiKey("bench-log@example.com");
  const [hook] = await createWebhooks(app, key, 1, () => `${receiver.url}?log`, [
    "call.ended",
    "call.started",
    "call.missed",
    "appointment.scheduled",
  ]);
  const seeded = await seedDeliveries(app.databaseUrl(), hook!, ROWS, (m) => say(`  seed: ${m}`));
  say(
    `seeded ${seeded.deliveries.toLocaleString("en")} deliveries and ${seeded.attempts.toLocaleString("en")} attempts in ${fmt(seeded.seconds)} s`,
  );

  const failures = Math.round(ROWS / 10);
  const deepFailed = Math.min(5000, Math.ceil(failures / 20));
  const deepAll = Math.min(5000, Math.ceil(ROWS / 20));
  const base = `/api/v1/webhooks/${hook}/deliveries`;
  const urls: Array<{ name: string; path: string; total: number | undefined }> = [
    { name: "success=false&page=1", path: `${base}?success=false&page=1`, total: failures },
    { name: `success=false&page=${deepFailed}`, path: `${base}?success=false&page=${deepFailed}`, total: failures },
    { name: "page=1 (no filter)", path: `${base}?page=1`, total: ROWS },
    { name: `page=${deepAll} (no filter)`, path: `${base}?page=${deepAll}`, total: ROWS },
    // Not a target: the webhook page's 24-hour health (another query over the same log), for information.
    { name: "…/stats (24 h health, info)", path: `/api/v1/webhooks/${hook}/stats`, total: undefined },
  ];

  const rows: Array<Array<string | number>> = [];
  const p95: Record<string, number> = {};
  for (const u of urls) {
    const first = await api<Page>(app, key, "GET", u.path);
    if (first.status !== 200)
      throw new Error(`${u.path}: status ${first.status}: ${JSON.stringify(first.body).slice(0, 300)}`);
    if (u.total !== undefined && (first.body.data.length !== 20 || first.body.pagination.total !== u.total)) {
      throw new Error(
        `${u.path}: status ${first.status}, ${first.body.data?.length} rows, total ${first.body.pagination?.total} (expected 20 rows of ${u.total})`,
      );
    }
    for (let i = 0; i < WARMUP; i++) await api(app, key, "GET", u.path);
    const ms: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t = performance.now();
      const r = await fetch(`${app.url}${u.path}`, { headers: { authorization: `Bearer ${key}` } });
      await r.arrayBuffer();
      ms.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`${u.path} answered ${r.status}`);
    }
    ms.sort((a, b) => a - b);
    p95[u.name] = percentile(ms, 95);
    rows.push([
      u.name,
      fmt(percentile(ms, 50)),
      fmt(percentile(ms, 95)),
      fmt(percentile(ms, 99)),
      fmt(ms.reduce((a, b) => a + b, 0) / ms.length),
      u.total?.toLocaleString("en") ?? "",
    ]);
  }

  // The SQL behind a page (what Prisma sends for listDeliveries), timed by PostgreSQL itself.
  const client = new pg.Client({ connectionString: app.databaseUrl() });
  await client.connect();
  const ws = (await client.query<{ workspaceId: string }>(`SELECT "workspaceId" FROM "Webhook" WHERE id = $1`, [hook]))
    .rows[0]!.workspaceId;
  const explain = async (label: string, sql: string, params: unknown[]) => {
    const res = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
    const lines = res.rows.map((r) => r["QUERY PLAN"]);
    const exec = lines.find((l) => l.startsWith("Execution Time"))?.replace("Execution Time: ", "") ?? "?";
    const top = lines
      .filter((l) => /Scan|Sort|Limit|Aggregate/.test(l))
      .map((l) => l.trim().replace(/\s+\(cost=[^)]*\)/, ""))
      .slice(0, 3)
      .join(" | ");
    say(`  ${label.padEnd(36)} ${exec.padStart(12)}   ${top.slice(0, 150)}`);
    if (process.env.BENCH_EXPLAIN) say(lines.map((l) => `      ${l}`).join("\n"));
  };
  const where = `"workspaceId" = $1 AND "webhookId" = $2`;
  say();
  say("EXPLAIN ANALYZE (PostgreSQL's own execution time):");
  for (const [label, filter, page] of [
    ["success=false page 1", ` AND success = false`, 1],
    [`success=false page ${deepFailed}`, ` AND success = false`, deepFailed],
    ["no filter page 1", ``, 1],
    [`no filter page ${deepAll}`, ``, deepAll],
  ] as const) {
    await explain(
      `page ids: ${label}`,
      `SELECT id FROM "Delivery" WHERE ${where}${filter} ORDER BY "createdAt" DESC, id DESC LIMIT 20 OFFSET ${(page - 1) * 20}`,
      [ws, hook],
    );
  }
  await explain("count: success=false", `SELECT count(*) FROM "Delivery" WHERE ${where} AND success = false`, [
    ws,
    hook,
  ]);
  await explain("count: no filter", `SELECT count(*) FROM "Delivery" WHERE ${where}`, [ws, hook]);
  await client.end();

  say();
  say(
    `${REQUESTS} sequential requests per URL after ${WARMUP} warm-up requests; 20 rows per page with their attempts; ${os.availableParallelism()} cores`,
  );
  say(table(["GET …/deliveries?", "p50 ms", "p95 ms", "p99 ms", "mean ms", "total"], rows));
  say();
  say("targets:");
  say(
    `  page 1 (success=false) p95 < 50 ms: ${fmt(p95["success=false&page=1"]!)} ms — ${pass(p95["success=false&page=1"]! < 50)}`,
  );
});
