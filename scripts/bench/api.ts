/**
 * `npm run bench:api` — API throughput and latency at 32 connections, beside
 * a trivial route (GET /api/health/live: no auth, no database) of the same
 * server in the same run:
 *   GET  /api/v1/webhooks  (a workspace with 50 webhooks)
 *   POST /api/v1/events    (a valid call.ended event; its workspace has one
 *                           webhook, so every event is also delivered to a
 *                           local HTTPS receiver while the load runs: the
 *                           app's CPU per request includes that delivery;
 *                           the deliveries run during the slice — the
 *                           executor worker process — and the figures
 *                           printed show how many arrived meanwhile)
 * Targets: each ≥ 50 % of the trivial route's rate, p99 < 50 ms. On a shared
 * machine only the ratios mean something: the load average is printed before
 * and after.
 *
 * Needs a production build (`npm run build`). Options (env):
 *   BENCH_DURATION=15  seconds per route (after a 3 s warm-up per route), measured in
 *   BENCH_ROUNDS=3     interleaved slices (health, list, events, health, …)
 *   BENCH_CONNECTIONS=32
 *   BENCH_EVENT_WEBHOOKS=1  webhooks subscribed in the POST /events workspace (deliveries per event)
 *   BENCH_ROUTES=list,events  which routes besides the trivial one (default both)
 *   BENCH_APP_DIR      start the app from another checkout/build (default: this repository)
 *   BENCH_CPU_PROF=dir write the app's CPU profiles there (scripts/bench/cpuprofile-top.ts)
 *   BENCH_ACCEPT_ENCODING=gzip  send this Accept-Encoding on every request, as most HTTP clients do
 *                      (default: none, so Next.js compresses nothing)
 */
import os from "node:os";
import type { Options } from "autocannon";
import { callEnded } from "@/lib/events/catalog/call-ended";
import {
  assertBuilt,
  api,
  autocannonRun,
  autocannonSamples,
  createWebhooks,
  cpuMeter,
  fmt,
  groupCpu,
  machineLine,
  main,
  pass,
  percentile,
  rssSampler,
  say,
  startApp,
  startReceiverProcess,
  table,
  waitForQuietMachine,
} from "./common";

const DURATION = Number(process.env.BENCH_DURATION ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WARMUP = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const EVENT_WEBHOOKS = Number(process.env.BENCH_EVENT_WEBHOOKS ?? 1);
const ONLY = process.env.BENCH_ROUTES?.split(",").map((s) => s.trim());
const ACCEPT: Record<string, string> = process.env.BENCH_ACCEPT_ENCODING
  ? { "accept-encoding": process.env.BENCH_ACCEPT_ENCODING }
  : {};

main(async () => {
  assertBuilt(); // before anything starts: fail clearly without a production build
  say("== bench:api");
  say(machineLine());
  say(
    `${CONNECTIONS} connections, ${DURATION} s per route in ${ROUNDS} interleaved slices, after a ${WARMUP} s warm-up` +
      (ACCEPT["accept-encoding"] ? `, Accept-Encoding: ${ACCEPT["accept-encoding"]}` : ""),
  );
  await waitForQuietMachine();

  const receiver = await startReceiverProcess();
  const app = await startApp({
    label: "api",
    env: {
      WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
      NODE_EXTRA_CA_CERTS: receiver.caPath,
      API_RATE_LIMIT_PER_MINUTE: "100000000", // per workspace; raised so the limiter is exercised but never answers 429
    },
  });
  say(`app started on ${app.url} (data in ${app.dataDir})`);
  const listKey = await app.createApiKey("bench-list@example.com");
  const eventsKey = await app.createApiKey("bench-events@example.com");
  await createWebhooks(
    app,
    listKey,
    50,
    (i) => `${receiver.url}?list=${i}`,
    (i) => (i % 2 ? ["call.ended", "call.started"] : ["appointment.scheduled"]),
  );
  const listed = await api<{ data: unknown[] }>(app, listKey, "GET", "/api/v1/webhooks");
  if (listed.status !== 200 || listed.body.data.length !== 50)
    throw new Error(`GET /api/v1/webhooks: ${listed.status}, ${listed.body.data?.length} webhooks`);
  await createWebhooks(app, eventsKey, EVENT_WEBHOOKS, (i) => `${receiver.url}?events=${i}`, ["call.ended"]);
  const eventBody = JSON.stringify({ type: "call.ended", data: callEnded.example });
  const probe = await api(app, eventsKey, "POST", "/api/v1/events", JSON.parse(eventBody));
  if (probe.status !== 202)
    throw new Error(`POST /api/v1/events answered ${probe.status}: ${JSON.stringify(probe.body)}`);

  const all: Array<{ key: string; name: string; opts: Options }> = [
    {
      key: "health",
      name: "GET /api/health/live (trivial)",
      opts: { url: `${app.url}/api/health/live`, headers: { ...ACCEPT } },
    },
    {
      key: "list",
      name: "GET /api/v1/webhooks (50)",
      opts: { url: `${app.url}/api/v1/webhooks`, headers: { ...ACCEPT, authorization: `Bearer ${listKey}` } },
    },
    {
      key: "events",
      name: "POST /api/v1/events",
      opts: {
        url: `${app.url}/api/v1/events`,
        method: "POST",
        headers: { ...ACCEPT, authorization: `Bearer ${eventsKey}`, "content-type": "application/json" },
        body: eventBody,
      },
    },
  ];
  const targets = all.filter((t) => t.key === "health" || !ONLY || ONLY.includes(t.key));

  for (const t of targets) await autocannonRun({ ...t.opts, connections: CONNECTIONS, duration: WARMUP });

  // Rounds: every route gets ROUNDS slices of DURATION/ROUNDS s, interleaved (health, list, events, health, …),
  // so a change in what else runs on the machine weighs on all routes alike. After each events slice the
  // deliveries it triggered are let through (up to 30 s) before the next slice starts.
  type Acc = {
    name: string;
    requests: number;
    seconds: number;
    latencies: number[];
    non2xx: number;
    busy: number;
    appMs: number;
    apiMs: number;
    pgMs: number;
    /** Deliveries the receiver got during this route's slices (events: triggered by them, while measured). */
    delivered: number;
  };
  const acc = new Map<string, Acc>(
    targets.map((t) => [
      t.key,
      {
        name: t.name,
        requests: 0,
        seconds: 0,
        latencies: [],
        non2xx: 0,
        busy: 0,
        appMs: 0,
        apiMs: 0,
        pgMs: 0,
        delivered: 0,
      },
    ]),
  );
  const rss = rssSampler(app.pgid);
  const before = (await receiver.stats()).requests;
  let accepted = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const a = acc.get(t.key)!;
      const cpu = cpuMeter();
      const used = groupCpu(app.pgid);
      const receivedBefore = (await receiver.stats()).requests;
      const slice = DURATION / ROUNDS;
      const {
        result: r,
        latencies,
        non2xx,
      } = await autocannonSamples({ ...t.opts, connections: CONNECTIONS, duration: slice });
      const after = groupCpu(app.pgid);
      a.delivered += (await receiver.stats()).requests - receivedBefore;
      a.requests += r.requests.total;
      a.seconds += slice;
      a.latencies.push(...latencies);
      a.non2xx += non2xx + r.errors + r.timeouts;
      a.busy += cpu() * slice;
      a.appMs += after.appMs - used.appMs;
      a.apiMs += after.launcherMs - used.launcherMs;
      a.pgMs += after.postgresMs - used.postgresMs;
      if (non2xx || r.errors || r.timeouts)
        say(`WARNING ${t.name}: ${non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
      if (t.key === "events") {
        accepted += r.requests.total - non2xx;
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline && (await receiver.stats()).requests - before < accepted * EVENT_WEBHOOKS)
          await new Promise((res) => setTimeout(res, 100));
      }
    }
  }
  const mem = rss.stop();
  const delivered = (await receiver.stats()).requests - before;
  const results = targets.map((t) => {
    const a = acc.get(t.key)!;
    const lat = a.latencies.sort((x, y) => x - y);
    const n = Math.max(1, a.requests);
    return {
      name: a.name,
      rate: a.requests / a.seconds,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      errors: a.non2xx,
      cpu: a.busy / a.seconds,
      appMs: a.appMs / n,
      apiMs: a.apiMs / n,
      pgMs: a.pgMs / n,
      deliveredPerS: a.delivered / a.seconds,
    };
  });

  const base = results[0]!.rate;
  say();
  say(
    table(
      [
        "route",
        "req/s",
        "vs trivial",
        "p50 ms",
        "p99 ms",
        "non-2xx",
        "app CPU ms/req",
        "of which API",
        "pg CPU ms/req",
        "deliveries/s meanwhile",
        "machine busy",
      ],
      results.map(({ name, rate, p50, p99, errors, cpu, appMs, apiMs, pgMs, deliveredPerS }) => [
        name,
        fmt(rate, 0),
        `${fmt((rate / base) * 100, 0)} %`,
        fmt(p50, 1),
        fmt(p99, 1),
        errors,
        fmt(appMs, 2),
        fmt(apiMs, 2),
        fmt(pgMs, 2),
        fmt(deliveredPerS, 0),
        `${fmt(cpu * 100, 0)} %`,
      ]),
    ),
  );
  say();
  say(
    `app RSS (launcher with Next.js + executor worker) peak ${fmt(mem.peakAppMb, 0)} MB; its PostgreSQL (PSS) ${fmt(mem.peakPostgresMb, 0)} MB`,
  );
  say(`webhook deliveries received by the local receiver during the measurements: ${delivered}`);
  const ev = acc.get("events");
  if (ev)
    say(
      `  of which during the POST /api/v1/events slices: ${ev.delivered} (${fmt(ev.delivered / ev.seconds, 0)}/s, ` +
        `${fmt((ev.delivered / Math.max(1, ev.requests * EVENT_WEBHOOKS)) * 100, 0)} % of the deliveries those events triggered): ` +
        "publishing was measured while its deliveries ran",
    );
  say(
    "app CPU ms/req: CPU time of all the app's Node processes (launcher with Next.js, executor worker: delivery work included) per request; " +
      "of which API: the launcher process alone; machine busy: all cores, all processes",
  );
  say(
    `load average after the run: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${os.availableParallelism()} cores)`,
  );
  say();
  say("targets:");
  for (const { name, rate, p99 } of results.slice(1)) {
    const ratio = rate / base;
    say(
      `  ${name}: rate ${fmt(ratio * 100, 0)} % of trivial (≥ 50 %: ${pass(ratio >= 0.5)}), p99 ${fmt(p99, 1)} ms (< 50 ms: ${pass(p99 < 50)})`,
    );
  }
  say(`  (for reference, the trivial route itself: p99 ${fmt(results[0]!.p99, 1)} ms at ${CONNECTIONS} connections)`);
});
