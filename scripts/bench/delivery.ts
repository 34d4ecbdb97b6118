/**
 * `npm run bench:delivery` — the delivery engine on the embedded default
 * (embedded PostgreSQL, in-process executor), against a local HTTPS receiver
 * running in its own process, side by side with a roll-your-own baseline on
 * graphile-worker (scripts/bench/baseline.ts) on the same receiver and the
 * same embedded PostgreSQL:
 *   1. raw     the receiver's own POST rate (autocannon straight at it)
 * then for each shape:
 *   2. max     sustained deliveries/s: a burst of events published as fast as
 *              the API takes them (BENCH_PUBLISH_CONCURRENCY in flight), until
 *              all deliveries arrived; rate over the middle 80 % of receipts
 *   3. half    publish→receive latency p50/p95/p99 with events published at a
 *              steady half of that maximum (open loop)
 *   4. baseline the same burst through the baseline sender
 * plus the app's RSS (launcher + Next.js, from /proc), CPU per delivery (app
 * and PostgreSQL apart) and our rate and CPU as ratios to the baseline's.
 * Targets: ≥ 500 deliveries/s and ≥ 25 % of the raw rate; p99 < 1 s at half
 * the maximum rate; app RSS < 400 MB; ≥ 1.5× the baseline's rate and less
 * CPU per delivery (app + PostgreSQL) than it.
 *
 * Shapes (--shape wide|narrow|both, default both):
 *   wide    one workspace, BENCH_WEBHOOKS (20) webhooks all subscribed: each event fans out to all of them
 *   narrow  BENCH_WEBHOOKS workspaces with one webhook each: each event (round robin over the workspaces'
 *           API keys) is delivered once
 * Size: BENCH_DELIVERIES (default 20,000) deliveries per burst, or --events N events per burst (wide: N × 20
 * deliveries, narrow: N): `npm run bench:delivery -- --events 100 --shape both` runs in a few minutes.
 *
 * Publish time = when the POST was sent; receive time = when the receiver had
 * read the request. Deliveries are matched to their event by the event's
 * callId (unique per event) inside the delivered body.
 *
 * The per-webhook throttle (WEBHOOK_DELIVERY_RATE_PER_SECOND, default 50/s) is
 * kept at its default unless BENCH_RATE_PER_WEBHOOK is set; the load is spread
 * over BENCH_WEBHOOKS webhooks, so the throttle caps the engine at webhooks ×
 * 50/s = 1,000/s, which the wide shape now reaches: BENCH_RATE_PER_WEBHOOK=1000
 * takes it out of the way to measure the engine itself. (The baseline has no
 * throttle.)
 *
 * The baseline's CPU is its own process's; PostgreSQL CPU is the embedded
 * server's during each burst (the idle app's executor polls it meanwhile, a
 * small share counted against the baseline).
 *
 * Needs a production build (`npm run build`). Options (env):
 *   BENCH_WEBHOOKS=20            webhooks (wide) / workspaces (narrow)
 *   BENCH_DELIVERIES=20000       deliveries in each max-rate burst (unless --events)
 *   BENCH_LATENCY_SECONDS=20     length of the half-rate phase (0 skips it)
 *   BENCH_PUBLISH_CONCURRENCY=8  POSTs in flight during the burst
 *   BENCH_WARMUP_EVENTS=20       events published end to end before each measured burst (ours and the baseline's;
 *                                more than 20: BENCH_PUBLISH_CONCURRENCY in flight). The default measures a
 *                                burst that starts a few seconds after the app did: its JIT still compiling
 *                                (narrow, 1,000 events: ≈ 1.5 ms of the API process's CPU per publish is that;
 *                                README "Benchmarks"); 3000 measures the warmed-up server.
 *   BENCH_RATE_PER_WEBHOOK       set WEBHOOK_DELIVERY_RATE_PER_SECOND for the run
 *   BENCH_BASELINE=0             skip the baseline
 *   BASELINE_CONCURRENCY=32, BASELINE_LOCAL_QUEUE=500  the baseline's tuning (scripts/bench/baseline.ts)
 *   BENCH_APP_DIR, BENCH_CPU_PROF, BENCH_WAIT_QUIET (see scripts/bench/common.ts)
 */
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { callEnded } from "@/lib/events/catalog/call-ended";
import { TSX_NODE_ARGS } from "@/test/support/node-args";
import {
  REPO,
  assertBuilt,
  autocannonRun,
  cpuMeter,
  createWebhooks,
  fmt,
  groupCpu,
  groupProcesses,
  machineLine,
  main,
  onCleanup,
  pass,
  percentile,
  rssSample,
  rssSampler,
  say,
  sleep,
  startApp,
  startReceiverProcess,
  stopChild,
  table,
  waitForQuietMachine,
  type App,
  type ReceiverProcess,
} from "./common";

const { values: args } = parseArgs({
  options: { shape: { type: "string", default: "both" }, events: { type: "string" } },
  strict: true,
});
if (!["wide", "narrow", "both"].includes(args.shape!)) throw new Error("--shape must be wide, narrow or both");
const SHAPES = (args.shape === "both" ? ["wide", "narrow"] : [args.shape]) as Shape[];
const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 20);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 20_000);
const EVENTS = args.events ? Number(args.events) : undefined;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const PUBLISH_CONCURRENCY = Number(process.env.BENCH_PUBLISH_CONCURRENCY ?? 8);
const WARMUP_EVENTS = Number(process.env.BENCH_WARMUP_EVENTS ?? 20);
const BASELINE = process.env.BENCH_BASELINE !== "0";
const RAW_SECONDS = 10;
const RAW_CONNECTIONS = 32;

type Shape = "wide" | "narrow";
type Sent = { sentAt: number; answeredAt?: number };
/** Where one event is published: a URL and the key of the workspace it goes to. */
type Target = (seq: number) => { url: string; key: string };

/** Publishes events and matches the receiver's receipts to them. */
class Tracker {
  readonly sent = new Map<string, Sent>();
  readonly latencies: number[] = [];
  readonly receipts: number[] = [];
  readonly postMs: number[] = [];
  received = 0;
  unknown = 0;
  failedPosts = 0;
  private readonly counts = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly target: Target,
    /** Deliveries per event. */
    private readonly fanout: number,
    private readonly receiver: ReceiverProcess,
    private readonly phase: string,
  ) {}

  async publish(): Promise<void> {
    const n = ++this.seq;
    const callId = `call_bench_${this.phase}_${n}`;
    const entry: Sent = { sentAt: Date.now() };
    this.sent.set(callId, entry);
    const { url, key } = this.target(n);
    const body = JSON.stringify({ type: "call.ended", data: { ...callEnded.example, callId } });
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body,
      });
      await res.arrayBuffer();
      entry.answeredAt = Date.now();
      this.postMs.push(entry.answeredAt - entry.sentAt);
      if (res.status !== 202) {
        this.failedPosts++;
        this.sent.delete(callId);
      }
    } catch {
      this.failedPosts++;
      this.sent.delete(callId);
    }
  }

  /** Takes the receipts reported so far. */
  collect(): void {
    for (const [callId, at] of this.receiver.take()) {
      const s = this.sent.get(callId);
      if (!s) {
        this.unknown++;
        continue;
      }
      this.counts.set(callId, (this.counts.get(callId) ?? 0) + 1);
      this.received++;
      this.receipts.push(at);
      this.latencies.push(at - s.sentAt);
    }
  }

  expected(): number {
    return this.sent.size * this.fanout;
  }

  duplicates(): number {
    let d = 0;
    for (const n of this.counts.values()) if (n > this.fanout) d += n - this.fanout;
    return d;
  }

  async waitAll(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.collect();
      if (this.received >= this.expected()) return true;
      await sleep(100);
    }
    this.collect();
    return this.received >= this.expected();
  }
}

/** `apiMs`: the part of `senderMs` spent in the launcher process (Next.js: the publish API), when known. */
type CpuProbe = () => { senderMs: number; postgresMs: number; apiMs?: number };

type BurstResult = {
  tracker: Tracker;
  sustained: number;
  overall: number;
  total: number;
  senderCpuPerDelivery: number;
  /** Of senderCpuPerDelivery, the API process's share (ours only). */
  apiCpuPerDelivery: number | undefined;
  pgCpuPerDelivery: number;
  machineBusy: number;
  publishSeconds: number;
  lastReceiptSeconds: number;
  complete: boolean;
  loadAfter: string;
};

const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

/** The warm-up before a measured burst: WARMUP_EVENTS events (one at a time up to 20), all delivered. */
async function warmUp(tracker: Tracker): Promise<boolean> {
  let next = 0;
  await Promise.all(
    Array.from({ length: WARMUP_EVENTS > 20 ? PUBLISH_CONCURRENCY : 1 }, async () => {
      while (next < WARMUP_EVENTS) {
        next++;
        await tracker.publish();
      }
    }),
  );
  return tracker.waitAll(Math.max(60_000, WARMUP_EVENTS * 50));
}

/** A burst of `events` events published as fast as the sender takes them, until every delivery arrived. */
async function burst(
  target: Target,
  fanout: number,
  receiver: ReceiverProcess,
  phase: string,
  events: number,
  cpu: CpuProbe,
): Promise<BurstResult> {
  const tracker = new Tracker(target, fanout, receiver, phase);
  const cpu0 = cpu();
  const machine = cpuMeter();
  const t0 = Date.now();
  let next = 0;
  const collector = setInterval(() => tracker.collect(), 100);
  await Promise.all(
    Array.from({ length: PUBLISH_CONCURRENCY }, async () => {
      while (next < events) {
        next++;
        await tracker.publish();
      }
    }),
  );
  const tPublished = Date.now();
  const complete = await tracker.waitAll(Math.max(120_000, ((events * fanout) / 50) * 1000));
  clearInterval(collector);
  const cpu1 = cpu();
  const machineBusy = machine();
  const r = [...tracker.receipts].sort((a, b) => a - b);
  const total = r.length;
  const lo = r[Math.floor(total * 0.1)]!;
  const hi = r[Math.floor(total * 0.9)]!;
  return {
    tracker,
    total,
    sustained: (Math.floor(total * 0.9) - Math.floor(total * 0.1)) / Math.max(0.001, (hi - lo) / 1000),
    overall: total / ((r[total - 1]! - t0) / 1000),
    senderCpuPerDelivery: (cpu1.senderMs - cpu0.senderMs) / Math.max(1, total),
    apiCpuPerDelivery:
      cpu1.apiMs === undefined || cpu0.apiMs === undefined ? undefined : (cpu1.apiMs - cpu0.apiMs) / Math.max(1, total),
    pgCpuPerDelivery: (cpu1.postgresMs - cpu0.postgresMs) / Math.max(1, total),
    machineBusy,
    publishSeconds: (tPublished - t0) / 1000,
    lastReceiptSeconds: (r[total - 1]! - t0) / 1000,
    complete,
    loadAfter: loadavg(),
  };
}

/** The baseline sender process (scripts/bench/baseline.ts) on the app's embedded PostgreSQL. */
async function startBaseline(databaseUrl: string, caPath: string) {
  const child = spawn(process.execPath, [...TSX_NODE_ARGS, path.join(REPO, "scripts/bench/baseline.ts")], {
    cwd: REPO,
    env: { ...process.env, BASELINE_DATABASE_URL: databaseUrl, NODE_EXTRA_CA_CERTS: caPath },
    detached: true, // its own process group, for its CPU and RSS
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pgid = child.pid!;
  onCleanup(() => stopChild(child));
  let setupDone: (() => void) | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    child.on("message", (m: { type: string; url?: string }) => {
      if (m.type === "ready") resolve(m.url!);
      else if (m.type === "setup-done") setupDone?.();
    });
    child.once("exit", (code) => reject(new Error(`the baseline process exited (${code})`)));
  });
  return {
    url: `${url}/events`,
    pgid,
    cpuMs: () => groupProcesses(pgid).reduce((a, p) => a + p.cpuMs, 0),
    rssMb: () => groupProcesses(pgid).reduce((a, p) => a + p.rssKb, 0) / 1024,
    setup: (workspaces: Array<{ key: string; webhooks: Array<{ url: string; events: string[] }> }>) =>
      new Promise<void>((resolve) => {
        setupDone = resolve;
        child.send({ type: "setup", workspaces });
      }),
  };
}

/** API keys of `n` workspaces (the real CLI; a few at a time). */
async function workspaceKeys(app: App, label: string, n: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < n; i += 4) {
    const batch = Array.from({ length: Math.min(4, n - i) }, (_, j) =>
      app.createApiKey(`bench-${label}-${i + j}@example.com`),
    );
    keys.push(...(await Promise.all(batch)));
  }
  return keys;
}

main(async () => {
  assertBuilt(); // before anything starts: fail clearly without a production build
  say("== bench:delivery");
  say(machineLine());
  const rateOverride = process.env.BENCH_RATE_PER_WEBHOOK;
  const sizeLine = EVENTS
    ? `${EVENTS} events per burst (wide: ${EVENTS * WEBHOOKS} deliveries, narrow: ${EVENTS})`
    : `${DELIVERIES} deliveries per burst`;
  say(
    `shapes: ${SHAPES.join(", ")} (${WEBHOOKS} webhooks in one workspace / ${WEBHOOKS} workspaces × 1 webhook); ` +
      `per-webhook throttle ` +
      (rateOverride
        ? `WEBHOOK_DELIVERY_RATE_PER_SECOND=${rateOverride} (raised for the run)`
        : "at its default (50/s), load spread over the webhooks") +
      `; ${sizeLine}; ${LATENCY_SECONDS} s at half rate; baseline: ${BASELINE ? "graphile-worker" : "skipped"}`,
  );
  await waitForQuietMachine();

  const receiver = await startReceiverProcess();

  // 1. Raw receiver rate (before the app exists, so nothing else competes).
  const rawBody = JSON.stringify({
    type: "call.ended",
    timestamp: new Date().toISOString(),
    data: { ...callEnded.example, callId: "call_raw" },
  });
  const raw = await autocannonRun({
    url: receiver.url,
    method: "POST",
    connections: RAW_CONNECTIONS,
    duration: RAW_SECONDS,
    headers: {
      "content-type": "application/json",
      "webhook-id": "msg_2QmJfbcWJv5DuoLQdOQqYzGSkmZ",
      "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
      "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    },
    body: rawBody,
  });
  const rawRate = raw.requests.average;
  say(
    `raw receiver rate: ${fmt(rawRate, 0)} POST/s (${RAW_CONNECTIONS} connections, ${RAW_SECONDS} s, p50 ${fmt(raw.latency.p50)} ms)`,
  );

  const app = await startApp({
    label: "delivery",
    env: {
      WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
      NODE_EXTRA_CA_CERTS: receiver.caPath,
      API_RATE_LIMIT_PER_MINUTE: "100000000",
      ...(rateOverride ? { WEBHOOK_DELIVERY_RATE_PER_SECOND: rateOverride } : {}),
    },
  });
  say(`app started on ${app.url} (data in ${app.dataDir})`);
  const baseline = BASELINE ? await startBaseline(app.databaseUrl(), receiver.caPath) : undefined;
  if (baseline) say(`baseline sender started (graphile-worker, pid ${baseline.pgid})`);

  const appCpu: CpuProbe = () => {
    const c = groupCpu(app.pgid);
    return { senderMs: c.appMs, postgresMs: c.postgresMs, apiMs: c.launcherMs };
  };
  const baselineCpu: CpuProbe = () => ({ senderMs: baseline!.cpuMs(), postgresMs: groupCpu(app.pgid).postgresMs });
  const summary: string[][] = [];

  for (const shape of SHAPES) {
    say();
    say(`== shape: ${shape}`);
    const fanout = shape === "wide" ? WEBHOOKS : 1;
    const events = EVENTS ?? Math.ceil(DELIVERIES / fanout);
    const hookUrl = (i: number) => `${receiver.url}?shape=${shape}&hook=${i}`;
    // The app: one workspace with every webhook, or one workspace per webhook.
    const keys = await workspaceKeys(app, shape, shape === "wide" ? 1 : WEBHOOKS);
    if (shape === "wide") await createWebhooks(app, keys[0]!, WEBHOOKS, hookUrl, ["call.ended"]);
    else for (let i = 0; i < WEBHOOKS; i++) await createWebhooks(app, keys[i]!, 1, () => hookUrl(i), ["call.ended"]);
    const appTarget: Target = (n) => ({ url: `${app.url}/api/v1/events`, key: keys[n % keys.length]! });

    // Warm-up: a few events end to end (JIT, pools, TLS sessions).
    const warm = new Tracker(appTarget, fanout, receiver, `${shape}_warm`);
    if (!(await warmUp(warm)))
      throw new Error(`warm-up: ${warm.received}/${warm.expected()} deliveries arrived in time\n${app.logTail()}`);

    // 2. Max rate: a burst.
    const rss = rssSampler(app.pgid);
    const ours = await burst(appTarget, fanout, receiver, `${shape}_max`, events, appCpu);
    if (!ours.complete)
      say(`WARNING: only ${ours.tracker.received}/${ours.tracker.expected()} deliveries arrived before the timeout`);
    say(
      `max: ${ours.tracker.sent.size} events (${ours.tracker.failedPosts} failed POSTs) published in ${fmt(ours.publishSeconds)} s; ` +
        `${ours.total} deliveries in ${fmt(ours.lastReceiptSeconds)} s (load average after: ${ours.loadAfter})`,
    );

    // 3. Latency at half the maximum rate (open loop: events on a fixed schedule).
    const halfRate = ours.sustained / 2;
    const eventsPerSecond = halfRate / fanout;
    const half = new Tracker(appTarget, fanout, receiver, `${shape}_half`);
    const h0 = Date.now();
    if (LATENCY_SECONDS > 0) {
      const n = Math.max(1, Math.round(eventsPerSecond * LATENCY_SECONDS));
      const posts: Array<Promise<void>> = [];
      const collector2 = setInterval(() => half.collect(), 100);
      for (let i = 0; i < n; i++) {
        const due = h0 + (i * 1000) / eventsPerSecond;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        posts.push(half.publish());
      }
      await Promise.all(posts);
      const halfComplete = await half.waitAll(120_000);
      clearInterval(collector2);
      if (!halfComplete)
        say(`WARNING: only ${half.received}/${half.expected()} deliveries of the half-rate phase arrived in time`);
    }
    const mem = rss.stop();
    await sleep(5_000);
    const idleAfter = rssSample(app.pgid);
    const hr = [...half.receipts].sort((a, b) => a - b);
    const achieved = hr.length ? hr.length / ((hr[hr.length - 1]! - h0) / 1000) : NaN;
    const lat = [...half.latencies].sort((a, b) => a - b);
    const post = [...half.postMs].sort((a, b) => a - b);
    const burstLat = [...ours.tracker.latencies].sort((a, b) => a - b);

    // 4. The baseline: the same burst through the graphile-worker sender.
    let theirs: BurstResult | undefined;
    let baselineRss = NaN;
    if (baseline) {
      const baseKeys = Array.from({ length: shape === "wide" ? 1 : WEBHOOKS }, (_, i) => `ryo_${shape}_${i}`);
      await baseline.setup(
        baseKeys.map((key, i) => ({
          key,
          webhooks:
            shape === "wide"
              ? Array.from({ length: WEBHOOKS }, (_, h) => ({ url: hookUrl(h), events: ["call.ended"] }))
              : [{ url: hookUrl(i), events: ["call.ended"] }],
        })),
      );
      const baseTarget: Target = (n) => ({ url: baseline.url, key: baseKeys[n % baseKeys.length]! });
      const bwarm = new Tracker(baseTarget, fanout, receiver, `${shape}_bwarm`);
      if (!(await warmUp(bwarm)))
        throw new Error(`baseline warm-up: ${bwarm.received}/${bwarm.expected()} deliveries arrived in time`);
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, baseline.rssMb())), 250);
      theirs = await burst(baseTarget, fanout, receiver, `${shape}_base`, events, baselineCpu);
      clearInterval(sampler);
      baselineRss = peak;
      if (!theirs.complete)
        say(`WARNING: baseline: only ${theirs.tracker.received}/${theirs.tracker.expected()} deliveries arrived`);
      say(
        `baseline: ${theirs.tracker.sent.size} events published in ${fmt(theirs.publishSeconds)} s; ` +
          `${theirs.total} deliveries in ${fmt(theirs.lastReceiptSeconds)} s (load average after: ${theirs.loadAfter})`,
      );
    }

    const ourCpu = ours.senderCpuPerDelivery + ours.pgCpuPerDelivery;
    const theirCpu = theirs ? theirs.senderCpuPerDelivery + theirs.pgCpuPerDelivery : NaN;
    say();
    say(
      table(
        ["figure", "value"],
        [
          ["shape", `${shape}: ${events} events → ${events * fanout} deliveries per burst`],
          ["cores (os.availableParallelism)", String(os.availableParallelism())],
          ["raw receiver POST/s", fmt(rawRate, 0)],
          ["max sustained deliveries/s (middle 80 %)", fmt(ours.sustained, 0)],
          ["  overall, first publish → last receipt", fmt(ours.overall, 0)],
          ["  vs raw receiver rate", `${fmt((ours.sustained / rawRate) * 100, 1)} %`],
          ["  app CPU per delivery (ms)", fmt(ours.senderCpuPerDelivery, 2)],
          [
            "    of which the API process (launcher + Next.js) / the executor worker",
            ours.apiCpuPerDelivery === undefined
              ? "—"
              : `${fmt(ours.apiCpuPerDelivery, 2)} / ${fmt(ours.senderCpuPerDelivery - ours.apiCpuPerDelivery, 2)}`,
          ],
          ["  PostgreSQL CPU per delivery (ms)", fmt(ours.pgCpuPerDelivery, 2)],
          ["  machine busy during the burst", `${fmt(ours.machineBusy * 100, 0)} %`],
          [
            "  burst publish→receive p50 / p99 (ms, queueing)",
            `${fmt(percentile(burstLat, 50), 0)} / ${fmt(percentile(burstLat, 99), 0)}`,
          ],
          [`half rate: target deliveries/s`, fmt(halfRate, 0)],
          ["  achieved deliveries/s", fmt(achieved, 0)],
          ["  publish→receive p50 (ms)", fmt(percentile(lat, 50), 0)],
          ["  publish→receive p95 (ms)", fmt(percentile(lat, 95), 0)],
          ["  publish→receive p99 (ms)", fmt(percentile(lat, 99), 0)],
          ["  POST /api/v1/events p50 / p99 (ms)", `${fmt(percentile(post, 50), 0)} / ${fmt(percentile(post, 99), 0)}`],
          ["app RSS peak / mean (MB, launcher + Next.js)", `${fmt(mem.peakAppMb, 0)} / ${fmt(mem.meanAppMb, 0)}`],
          ["app RSS 5 s after the load (MB)", fmt(idleAfter.appMb, 0)],
          ["PostgreSQL memory peak (MB, PSS of all its processes)", fmt(mem.peakPostgresMb, 0)],
          [
            "deliveries (burst + half), duplicates, unmatched",
            `${ours.tracker.received + half.received}, ${ours.tracker.duplicates() + half.duplicates()}, ${ours.tracker.unknown + half.unknown}`,
          ],
          ...(theirs
            ? [
                ["baseline (graphile-worker): sustained deliveries/s", fmt(theirs.sustained, 0)],
                ["  its CPU per delivery (ms)", fmt(theirs.senderCpuPerDelivery, 2)],
                ["  PostgreSQL CPU per delivery (ms)", fmt(theirs.pgCpuPerDelivery, 2)],
                ["  its RSS peak (MB)", fmt(baselineRss, 0)],
                ["  duplicates, unmatched", `${theirs.tracker.duplicates()}, ${theirs.tracker.unknown}`],
                ["ours ÷ baseline: rate", `${fmt(ours.sustained / theirs.sustained, 2)}×`],
                ["ours ÷ baseline: CPU per delivery (app + PostgreSQL)", `${fmt(ourCpu / theirCpu, 2)}×`],
              ]
            : []),
        ],
      ),
    );
    say();
    say(`targets (${shape}):`);
    say(`  ≥ 500 deliveries/s: ${fmt(ours.sustained, 0)} — ${pass(ours.sustained >= 500)}`);
    say(
      `  ≥ 25 % of the raw receiver rate: ${fmt((ours.sustained / rawRate) * 100, 1)} % — ${pass(ours.sustained / rawRate >= 0.25)}`,
    );
    if (LATENCY_SECONDS > 0)
      say(
        `  p99 < 1 s at half the maximum rate: ${fmt(percentile(lat, 99), 0)} ms — ${pass(percentile(lat, 99) < 1000)}`,
      );
    say(`  app RSS < 400 MB: peak ${fmt(mem.peakAppMb, 0)} MB — ${pass(mem.peakAppMb < 400)}`);
    if (theirs) {
      say(
        `  ≥ 1.5× the baseline's rate: ${fmt(ours.sustained / theirs.sustained, 2)}× — ${pass(ours.sustained >= 1.5 * theirs.sustained)}`,
      );
      say(
        `  CPU per delivery below the baseline's: ${fmt(ourCpu, 2)} vs ${fmt(theirCpu, 2)} ms — ${pass(ourCpu < theirCpu)}`,
      );
    }
    if (ours.sustained > fanout * Number(rateOverride ?? 50) * 0.8 && shape === "wide") {
      say(
        `NOTE: the rate is close to the throttle cap (${WEBHOOKS} webhooks × ${rateOverride ?? 50}/s): raise BENCH_WEBHOOKS`,
      );
    }
    summary.push([
      shape,
      fmt(ours.sustained, 0),
      theirs ? fmt(theirs.sustained, 0) : "—",
      theirs ? `${fmt(ours.sustained / theirs.sustained, 2)}×` : "—",
      `${fmt(ours.senderCpuPerDelivery, 2)} + ${fmt(ours.pgCpuPerDelivery, 2)}`,
      theirs ? `${fmt(theirs.senderCpuPerDelivery, 2)} + ${fmt(theirs.pgCpuPerDelivery, 2)}` : "—",
      theirs ? `${fmt(ourCpu / theirCpu, 2)}×` : "—",
      `${ours.loadAfter} / ${theirs?.loadAfter ?? "—"}`,
    ]);
  }

  say();
  say("== summary (CPU per delivery in ms: sender + PostgreSQL)");
  say(
    table(
      [
        "shape",
        "ours/s",
        "baseline/s",
        "rate ratio",
        "our CPU",
        "baseline CPU",
        "CPU ratio",
        "load avg after (ours / baseline)",
      ],
      summary,
    ),
  );
});
