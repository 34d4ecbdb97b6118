/**
 * `npm run bench:delivery` — the delivery engine on the embedded default
 * (embedded PostgreSQL, in-process executor), against a local HTTPS receiver
 * running in its own process:
 *   1. raw     the receiver's own POST rate (autocannon straight at it)
 *   2. max     sustained deliveries/s: a burst of events published as fast as
 *              the API takes them, fanned out to every webhook, until all
 *              deliveries arrived; rate over the middle 80 % of receipts
 *   3. half    publish→receive latency p50/p95/p99 with events published at a
 *              steady half of that maximum (open loop)
 * plus the app's RSS (launcher + Next.js, from /proc) and CPU per delivery.
 * Targets: ≥ 500 deliveries/s and ≥ 25 % of the raw rate; p99 < 1 s at half
 * the maximum rate; app RSS < 400 MB.
 *
 * Publish time = when POST /api/v1/events was sent; receive time = when the
 * receiver had read the request. Deliveries are matched to their event by the
 * event's callId (unique per event) inside the delivered body.
 *
 * The per-webhook throttle (WEBHOOK_DELIVERY_RATE_PER_SECOND, default 50/s) is
 * kept at its default; the load is spread over BENCH_WEBHOOKS webhooks
 * instead (each event goes to all of them), so the throttle caps the engine
 * at webhooks × 50/s, far above what it reaches.
 *
 * Needs a production build (`npm run build`). Options (env):
 *   BENCH_WEBHOOKS=20            webhooks (all subscribed to call.ended)
 *   BENCH_DELIVERIES=20000       deliveries in the max-rate burst
 *   BENCH_LATENCY_SECONDS=20     length of the half-rate phase
 *   BENCH_PUBLISH_CONCURRENCY=8  POSTs in flight during the burst
 *   BENCH_RATE_PER_WEBHOOK       set WEBHOOK_DELIVERY_RATE_PER_SECOND for the run
 *   BENCH_APP_DIR, BENCH_CPU_PROF, BENCH_WAIT_QUIET (see scripts/bench/common.ts)
 */
import { callEnded } from "@/lib/events/catalog/call-ended";
import {
  assertBuilt,
  autocannonRun,
  cpuMeter,
  createWebhooks,
  fmt,
  groupCpu,
  machineLine,
  main,
  pass,
  percentile,
  rssSample,
  rssSampler,
  say,
  sleep,
  startApp,
  startReceiverProcess,
  table,
  waitForQuietMachine,
  type App,
  type ReceiverProcess,
} from "./common";

const WEBHOOKS = Number(process.env.BENCH_WEBHOOKS ?? 20);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 20_000);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 20);
const PUBLISH_CONCURRENCY = Number(process.env.BENCH_PUBLISH_CONCURRENCY ?? 8);
const RAW_SECONDS = 10;
const RAW_CONNECTIONS = 32;

type Sent = { sentAt: number; answeredAt?: number };

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
    private readonly app: App,
    private readonly key: string,
    private readonly receiver: ReceiverProcess,
    private readonly phase: string,
  ) {}

  async publish(): Promise<void> {
    const callId = `call_bench_${this.phase}_${++this.seq}`;
    const entry: Sent = { sentAt: Date.now() };
    this.sent.set(callId, entry);
    const body = JSON.stringify({ type: "call.ended", data: { ...callEnded.example, callId } });
    try {
      const res = await fetch(`${this.app.url}/api/v1/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.key}`, "content-type": "application/json" },
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
    return this.sent.size * WEBHOOKS;
  }

  duplicates(): number {
    let d = 0;
    for (const n of this.counts.values()) if (n > WEBHOOKS) d += n - WEBHOOKS;
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

main(async () => {
  assertBuilt(); // before anything starts: fail clearly without a production build
  say("== bench:delivery");
  say(machineLine());
  const rateOverride = process.env.BENCH_RATE_PER_WEBHOOK;
  say(
    `${WEBHOOKS} webhooks, each event delivered to all of them; per-webhook throttle ` +
      (rateOverride
        ? `WEBHOOK_DELIVERY_RATE_PER_SECOND=${rateOverride} (raised for the run)`
        : "at its default (50/s), load spread over the webhooks") +
      `; ${DELIVERIES} deliveries in the max-rate burst, ${LATENCY_SECONDS} s at half rate`,
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
  const key = await app.createApiKey("bench-delivery@example.com");
  await createWebhooks(app, key, WEBHOOKS, (i) => `${receiver.url}?hook=${i}`, ["call.ended"]);

  // Warm-up: a few events end to end (JIT, pools, TLS sessions).
  const warm = new Tracker(app, key, receiver, "warm");
  for (let i = 0; i < 20; i++) await warm.publish();
  if (!(await warm.waitAll(60_000)))
    throw new Error(`warm-up: ${warm.received}/${warm.expected()} deliveries arrived within 60 s\n${app.logTail()}`);

  const rss = rssSampler(app.pgid);

  // 2. Max rate: a burst.
  const events = Math.ceil(DELIVERIES / WEBHOOKS);
  const burst = new Tracker(app, key, receiver, "max");
  const cpu0 = groupCpu(app.pgid);
  const machine = cpuMeter();
  const t0 = Date.now();
  let next = 0;
  const collector = setInterval(() => burst.collect(), 100);
  await Promise.all(
    Array.from({ length: PUBLISH_CONCURRENCY }, async () => {
      while (next < events) {
        next++;
        await burst.publish();
      }
    }),
  );
  const tPublished = Date.now();
  const complete = await burst.waitAll(Math.max(120_000, (DELIVERIES / 50) * 1000));
  clearInterval(collector);
  const cpu1 = groupCpu(app.pgid);
  const machineBusy = machine();
  if (!complete)
    say(`WARNING: only ${burst.received}/${burst.expected()} deliveries of the burst arrived before the timeout`);
  const r = [...burst.receipts].sort((a, b) => a - b);
  const total = r.length;
  const overall = total / ((r[total - 1]! - t0) / 1000);
  const lo = r[Math.floor(total * 0.1)]!;
  const hi = r[Math.floor(total * 0.9)]!;
  const sustained = (Math.floor(total * 0.9) - Math.floor(total * 0.1)) / ((hi - lo) / 1000);
  const perDeliveryApp = (cpu1.appMs - cpu0.appMs) / Math.max(1, total);
  const perDeliveryPg = (cpu1.postgresMs - cpu0.postgresMs) / Math.max(1, total);
  say(
    `max: ${burst.sent.size} events (${burst.failedPosts} failed POSTs) published in ${fmt((tPublished - t0) / 1000)} s; ` +
      `${total} deliveries in ${fmt((r[total - 1]! - t0) / 1000)} s`,
  );

  // 3. Latency at half the maximum rate (open loop: events on a fixed schedule).
  const halfRate = sustained / 2;
  const eventsPerSecond = halfRate / WEBHOOKS;
  const half = new Tracker(app, key, receiver, "half");
  const n = Math.max(1, Math.round(eventsPerSecond * LATENCY_SECONDS));
  const h0 = Date.now();
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
  const mem = rss.stop();
  await sleep(10_000);
  const idleAfter = rssSample(app.pgid);
  if (!halfComplete)
    say(
      `WARNING: only ${half.received}/${half.expected()} deliveries of the half-rate phase arrived before the timeout`,
    );
  const hr = [...half.receipts].sort((a, b) => a - b);
  const achieved = hr.length / ((hr[hr.length - 1]! - h0) / 1000);
  const lat = [...half.latencies].sort((a, b) => a - b);
  const post = [...half.postMs].sort((a, b) => a - b);
  const burstLat = [...burst.latencies].sort((a, b) => a - b);

  say();
  say(
    table(
      ["figure", "value"],
      [
        ["cores (os.availableParallelism)", String((await import("node:os")).availableParallelism())],
        ["raw receiver POST/s", fmt(rawRate, 0)],
        ["max sustained deliveries/s (middle 80 %)", fmt(sustained, 0)],
        ["  overall, first publish → last receipt", fmt(overall, 0)],
        ["  vs raw receiver rate", `${fmt((sustained / rawRate) * 100, 1)} %`],
        ["  app CPU per delivery (ms)", fmt(perDeliveryApp, 2)],
        ["  PostgreSQL CPU per delivery (ms)", fmt(perDeliveryPg, 2)],
        ["  machine busy during the burst", `${fmt(machineBusy * 100, 0)} %`],
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
        ["app RSS 10 s after the load (MB)", fmt(idleAfter.appMb, 0)],
        ["PostgreSQL memory peak (MB, PSS of all its processes)", fmt(mem.peakPostgresMb, 0)],
        [
          "deliveries (burst + half), duplicates, unmatched",
          `${burst.received + half.received}, ${burst.duplicates() + half.duplicates()}, ${burst.unknown + half.unknown}`,
        ],
      ],
    ),
  );
  say();
  say("targets:");
  say(`  ≥ 500 deliveries/s: ${fmt(sustained, 0)} — ${pass(sustained >= 500)}`);
  say(
    `  ≥ 25 % of the raw receiver rate: ${fmt((sustained / rawRate) * 100, 1)} % — ${pass(sustained / rawRate >= 0.25)}`,
  );
  say(`  p99 < 1 s at half the maximum rate: ${fmt(percentile(lat, 99), 0)} ms — ${pass(percentile(lat, 99) < 1000)}`);
  say(`  app RSS < 400 MB: peak ${fmt(mem.peakAppMb, 0)} MB — ${pass(mem.peakAppMb < 400)}`);
  if (sustained > WEBHOOKS * Number(rateOverride ?? 50) * 0.8) {
    say(
      `NOTE: the rate is close to the throttle cap (${WEBHOOKS} webhooks × ${rateOverride ?? 50}/s): raise BENCH_WEBHOOKS`,
    );
  }
});
