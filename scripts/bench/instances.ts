/**
 * `node --conditions=react-server --import tsx scripts/bench/instances.ts` — throughput of two embedded
 * app instances on one PostgreSQL against one instance (the scale-out of the
 * embedded default; test/soak/two-instances.test.ts checks its correctness).
 *
 * One "external" PostgreSQL (an embedded server started here, passed to the
 * apps as DATABASE_URL), one HTTPS receiver process, BENCH_WEBHOOKS webhooks
 * in one workspace. Phase 1: one instance, a burst of events published as fast
 * as it takes them; phase 2: a second instance joins, the same burst is
 * published round robin to both. Prints deliveries/s (middle 80 % of
 * receipts), CPU per delivery (apps and PostgreSQL) and the load average: a
 * report, not a timed assertion (on 2 shared cores a second instance mostly
 * competes for the same CPU).
 *
 * Needs a production build. Options (env): BENCH_WEBHOOKS=20, BENCH_EVENTS=250
 * (events per burst; × webhooks deliveries), BENCH_PUBLISH_CONCURRENCY=8, BENCH_WAIT_QUIET.
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { callEnded } from "@/lib/events/catalog/call-ended";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import {
  assertBuilt,
  createWebhooks,
  fmt,
  freePort,
  groupCpu,
  machineLine,
  main,
  onCleanup,
  postgresServerCpuMs,
  say,
  sleep,
  startApp,
  startReceiverProcess,
  table,
  tempDir,
  waitForQuietMachine,
  type App,
  type ReceiverProcess,
} from "./common";

const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 20);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 250);
const PUBLISH_CONCURRENCY = Number(process.env.BENCH_PUBLISH_CONCURRENCY ?? 8);

const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

async function burst(apps: App[], key: string, receiver: ReceiverProcess, phase: string, cpu: () => number) {
  const sent = new Set<string>();
  const receipts: number[] = [];
  let failed = 0;
  let next = 0;
  const cpu0 = cpu();
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: PUBLISH_CONCURRENCY }, async () => {
      while (next < EVENTS) {
        const n = next++;
        const callId = `call_bench_${phase}_${n}`;
        const app = apps[n % apps.length]!;
        const res = await fetch(`${app.url}/api/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ type: "call.ended", data: { ...callEnded.example, callId } }),
        }).catch(() => undefined);
        await res?.arrayBuffer();
        if (res?.status === 202) sent.add(callId);
        else failed++;
      }
    }),
  );
  const expected = sent.size * WEBHOOKS;
  const deadline = Date.now() + Math.max(120_000, (expected / 20) * 1000);
  while (receipts.length < expected && Date.now() < deadline) {
    for (const [callId, at] of receiver.take()) if (sent.has(callId)) receipts.push(at);
    await sleep(100);
  }
  const cpuMs = cpu() - cpu0;
  const r = receipts.sort((a, b) => a - b);
  const lo = r[Math.floor(r.length * 0.1)]!;
  const hi = r[Math.floor(r.length * 0.9)]!;
  return {
    delivered: r.length,
    expected,
    failed,
    sustained: (Math.floor(r.length * 0.9) - Math.floor(r.length * 0.1)) / Math.max(0.001, (hi - lo) / 1000),
    overall: r.length / ((r[r.length - 1]! - t0) / 1000),
    cpuPerDelivery: cpuMs / Math.max(1, r.length),
    load: loadavg(),
  };
}

main(async () => {
  assertBuilt();
  say("== bench:instances — two embedded instances on one PostgreSQL vs one");
  say(machineLine());
  say(`${WEBHOOKS} webhooks in one workspace, ${EVENTS} events per burst (${EVENTS * WEBHOOKS} deliveries)`);
  await waitForQuietMachine();

  // The shared PostgreSQL.
  const dbDir = tempDir("akol-bench-instances-db-");
  const dbPort = await freePort();
  const server = await startEmbeddedPostgres({ dataDir: dbDir, port: dbPort });
  onCleanup(() => server.stop());
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query("CREATE DATABASE akol_instances");
  await admin.end();
  const databaseUrl = server.url.replace(/\/[^/?]*(\?|$)/, "/akol_instances$1");
  await migrate(databaseUrl);
  const pgCpu = () => postgresServerCpuMs(path.join(dbDir, "postgres"), dbPort);

  const receiver = await startReceiverProcess();
  // Both instances must share the secrets (webhook secrets are encrypted with SECRETS_ENCRYPTION_KEY).
  const env = {
    DATABASE_URL: databaseUrl,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
    NODE_EXTRA_CA_CERTS: receiver.caPath,
    API_RATE_LIMIT_PER_MINUTE: "100000000",
  };
  const first = await startApp({ label: "instance-1", env });
  say(`instance 1 on ${first.url}`);
  const key = await first.createApiKey("bench-instances@example.com");
  await createWebhooks(first, key, WEBHOOKS, (i) => `${receiver.url}?hook=${i}`, ["call.ended"]);

  const rows: string[][] = [];
  const warm = await burst([first], key, receiver, "warm1", () => 0);
  say(`warm-up: ${warm.delivered}/${warm.expected} deliveries`);
  const one = await burst([first], key, receiver, "one", () => groupCpu(first.pgid).appMs + pgCpu());
  rows.push([
    "1 instance",
    fmt(one.sustained, 0),
    fmt(one.overall, 0),
    fmt(one.cpuPerDelivery, 2),
    `${one.delivered}/${one.expected}`,
    one.load,
  ]);

  const second = await startApp({ label: "instance-2", env });
  say(`instance 2 on ${second.url}`);
  await burst([first, second], key, receiver, "warm2", () => 0);
  const two = await burst(
    [first, second],
    key,
    receiver,
    "two",
    () => groupCpu(first.pgid).appMs + groupCpu(second.pgid).appMs + pgCpu(),
  );
  rows.push([
    "2 instances",
    fmt(two.sustained, 0),
    fmt(two.overall, 0),
    fmt(two.cpuPerDelivery, 2),
    `${two.delivered}/${two.expected}`,
    two.load,
  ]);

  say();
  say(
    table(
      ["", "deliveries/s (middle 80 %)", "overall/s", "CPU ms/delivery (apps + PG)", "delivered", "load avg after"],
      rows,
    ),
  );
  say();
  say(`two ÷ one: ${fmt(two.sustained / one.sustained, 2)}× the rate on ${os.availableParallelism()} cores`);
});
