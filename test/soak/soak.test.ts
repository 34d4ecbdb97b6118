import { createHash, randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/events/route";
import { db } from "@/lib/db";
import { CATALOG, EVENT_TYPES } from "@/lib/events/catalog";
import type { Prisma } from "@/lib/generated/prisma/client";
import { buildPresent, startApp, type AppProcess } from "@/test/soak/app-process";
import { FAILING_ACTIONS, prng, startFaultReceiver, type FaultReceiver, type Hit } from "@/test/soak/fault-receiver";
import { call, makeTenant, request, type EnvelopeBody, type Tenant } from "@/test/support/api";
import { freePort } from "@/test/support/global-setup";
import { testTls } from "@/test/support/https-receiver";
import type { WebhookView } from "@/lib/webhooks/schemas";

/**
 * Fault-injection soak against the REAL production app (`npm start` on the
 * `next build` output, as a child process): events are published over HTTP
 * continuously to webhooks whose receivers randomly fail (500, 429 +
 * Retry-After, no answer, reset connection, slow answers), while the app's
 * whole process group is SIGKILLed and restarted at random moments. Then
 * publishing stops, the system must come to rest, and the logs must add up:
 *
 * - every published event reached every subscribed receiver with a 2xx, and
 *   no other receiver; duplicates only ever share a `webhook-id`;
 * - no delivery is ever pending without a next attempt or long overdue, and
 *   none is pending at the end; no function run failed;
 * - each delivery's attemptCount = its DeliveryAttempt rows (numbered 1..n) =
 *   the requests its receiver saw, except requests in flight when the app was
 *   killed (their record died with it: at most one per message per kill, the
 *   message is sent again with the same webhook-id); every recorded attempt
 *   matches one received request (same webhook-id and webhook-timestamp) and
 *   the status the receiver answered;
 * - failureCount = trailing consecutive failed deliveries (0 on endpoints that
 *   recover, every delivery on the endpoint that never answers 2xx);
 * - every request verifies with the `standardwebhooks` package.
 *
 * Bounded for CI (SOAK_SECONDS of publishing, default 90; about 2 minutes in
 * all); SOAK_SECONDS=600 runs longer, SOAK_SEED replays the same random
 * choices (event types, kill moments, receiver decision streams), SOAK_KILLS (default 2; one per 45 s in longer
 * runs), SOAK_RATE (events/s, default 8). Needs the production build:
 * skipped with a message without it, a failure in CI.
 */

const SEED = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : randomInt(1, 2 ** 31 - 1);
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 90);
/** Two kills in the bounded run; longer runs kill about every 45 s unless SOAK_KILLS says otherwise. */
const KILLS = Number(process.env.SOAK_KILLS ?? Math.max(2, Math.floor(SOAK_SECONDS / 45)));
const RATE = Number(process.env.SOAK_RATE ?? 8);
const RETRY_SCHEDULE = "1,1,2,2,3,3,5";
const MAX_ATTEMPTS = RETRY_SCHEDULE.split(",").length + 1;
const TIMEOUT_MS = 2000;
/** A flaky receiver fails at most this many requests of one message. */
const FAILURE_CAP = 3;
/** How long a pending delivery may be overdue while the app runs (attempt in flight, throttle, poll, load). */
const OVERDUE_GRACE_MS = Number(process.env.SOAK_OVERDUE_GRACE_MS ?? TIMEOUT_MS + 13_000);
/**
 * The longest first step-retry back-off of the embedded executor (defaultRetryBackoffMs: 10 s + 20 % jitter).
 * An attempt that was in flight when the app died counts as a failed try of its step (Inngest's semantics,
 * inngest/embedded/README.md: a run can never loop without consuming an attempt), so it resumes after it.
 */
const FIRST_STEP_RETRY_MAX_MS = 12_000;
/**
 * How long after a restart the runs the killed instance held may take to
 * resume: the new instance requeues them at once (the dead instance's
 * liveness lock is gone), so this covers one maintenance pass and the backlog,
 * plus the step back-off of an attempt the crash interrupted.
 */
const RESUME_AFTER_RESTART_MS = Number(process.env.SOAK_RESUME_AFTER_RESTART_MS ?? 15_000 + FIRST_STEP_RETRY_MAX_MS);
/**
 * A request whose attempt record died with the app reached the receiver at
 * most this long before the kill: the sender's timeout plus the time to
 * commit the record (generous, for a loaded CI machine).
 */
const UNRECORDED_LEAD_MS = TIMEOUT_MS + 5_000;
const QUIESCENCE_TIMEOUT_MS = 180_000;

const build = buildPresent();
if (!build && !process.env.CI) {
  console.warn(
    "[soak] SKIPPED: no production build (.next/BUILD_ID). Run `npm run build` first; in CI (CI set) this is a failure.",
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

type Published = {
  seq: number;
  key: string;
  type: string;
  marker: string;
  eventId: string;
  expected: string[];
  tries: number;
};
type Kill = { at: number; pid: number; readyAt: number };
type Sub = { name: string; events: string[]; mode: "flaky" | "doomed" };

/** flaky endpoints together cover every type; the doomed one never answers 2xx. */
const SUBSCRIPTIONS: Sub[] = [
  { name: "all", events: [...EVENT_TYPES], mode: "flaky" },
  { name: "calls", events: EVENT_TYPES.filter((t) => t.startsWith("call.")), mode: "flaky" },
  { name: "appointments", events: EVENT_TYPES.filter((t) => !t.startsWith("call.")), mode: "flaky" },
  { name: "mixed", events: ["call.ended", "appointment.scheduled", "voicemail.received"], mode: "flaky" },
  { name: "doomed", events: ["call.missed", "voicemail.received"], mode: "doomed" },
];

const tmp = mkdtempSync(path.join(tmpdir(), "akol-soak-"));
const logFile = path.join(tmp, "app.log");
const tail: string[] = [];
const receivers: FaultReceiver[] = [];
let app: AppProcess | undefined;

afterAll(async () => {
  await app?.stop(10_000).catch(() => undefined);
  for (const r of receivers) await r.close();
  if (!process.env.SOAK_KEEP_LOGS) rmSync(tmp, { recursive: true, force: true });
});

function appEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    DATABASE_URL: process.env.DATABASE_URL,
    AUTH_SECRET: process.env.AUTH_SECRET,
    SECRETS_ENCRYPTION_KEY: process.env.SECRETS_ENCRYPTION_KEY,
    DATA_DIR: path.join(tmp, "data"),
    WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
    NODE_EXTRA_CA_CERTS: testTls().caPath,
    WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE,
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
    WEBHOOK_DISABLE_AFTER_FAILURES: "1000000",
    API_RATE_LIMIT_PER_MINUTE: "1000000",
    LOG_LEVEL: "info",
  };
  // The app is not a vitest worker.
  for (const k of Object.keys(env)) if (k.startsWith("VITEST") || k === "NODE_OPTIONS") delete env[k];
  return env;
}

describe("Idempotency-Key across a crash (what the soak found)", () => {
  it("a retry takes over a claim left pending by a request that died, and publishes the same event once", async () => {
    const t = await makeTenant("idem");
    const body = {
      type: "call.missed",
      data: CATALOG.find((c) => c.type === "call.missed")!.example as Prisma.InputJsonObject,
    };
    const raw = JSON.stringify(body);
    // The first request claimed the key and stored its event, then the app was killed before it answered.
    const claim = "claim_01M8TESTCRASHEDxxxxxxxxxxxxx";
    const eventId = `evt_${claim.slice("claim_".length)}`;
    const crashedAt = new Date(Date.now() - 60_000);
    await db.idempotencyKey.create({
      data: {
        workspaceId: t.workspaceId,
        key: "order-1",
        requestHash: createHash("sha256").update(raw).digest("hex"),
        status: 0,
        response: { claim },
        createdAt: crashedAt,
      },
    });
    await db.event.create({
      data: {
        id: eventId,
        workspaceId: t.workspaceId,
        type: body.type,
        data: JSON.stringify(body.data),
        timestamp: crashedAt,
      },
    });
    const publish = () =>
      call<{ id: string; timestamp: string }>(
        eventsRoute.POST,
        request("POST", "/api/v1/events", {
          auth: { key: t.key },
          rawBody: raw,
          headers: { "content-type": "application/json", "idempotency-key": "order-1" },
        }),
      );

    const retried = await publish();
    expect(retried.status).toBe(202);
    expect(retried.body.data).toMatchObject({ id: eventId, timestamp: crashedAt.toISOString() });
    const again = await publish();
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.data.id).toBe(eventId);
    expect(await db.event.count({ where: { workspaceId: t.workspaceId } })).toBe(1);

    // A claim that is not stale yet still answers 409: its request may be running.
    await db.idempotencyKey.create({
      data: {
        workspaceId: t.workspaceId,
        key: "order-2",
        requestHash: createHash("sha256").update(raw).digest("hex"),
        status: 0,
        response: { claim: "claim_01M8TESTRUNNINGxxxxxxxxxxxxx" },
      },
    });
    const busy = await call(
      eventsRoute.POST,
      request("POST", "/api/v1/events", {
        auth: { key: t.key },
        rawBody: raw,
        headers: { "content-type": "application/json", "idempotency-key": "order-2" },
      }),
    );
    expect(busy.status).toBe(409);
  });
});

describe("fault-injection soak (production build, SIGKILL + restart)", () => {
  it(
    "delivers every published event at least once, with logs and counters that add up",
    async (ctx) => {
      if (!build) {
        if (process.env.CI)
          throw new Error("no production build (.next/BUILD_ID): run `npm run build` before the soak (CI)");
        ctx.skip("no production build (.next/BUILD_ID): run `npm run build` first");
      }
      const began = Date.now();
      const say = (m: string) => console.log(`[soak ${((Date.now() - began) / 1000).toFixed(1)}s] ${m}`);
      say(
        `seed ${SEED} (SOAK_SEED=${SEED} replays the same event types, kill moments and receiver decision streams); ${SOAK_SECONDS}s of publishing at ${RATE}/s, ${KILLS} kills; logs ${logFile}`,
      );
      const chaos = prng(SEED);
      const port = await freePort();
      const env = appEnv(port);
      const base = `http://127.0.0.1:${port}`;

      const tenant: Tenant = await makeTenant("soak");
      for (const [i, s] of SUBSCRIPTIONS.entries()) {
        receivers.push(
          await startFaultReceiver({
            name: s.name,
            mode: s.mode,
            random: prng(SEED + 1000 * (i + 1)),
            failureCap: FAILURE_CAP,
            slowMs: [100, 700],
          }),
        );
      }
      app = await startApp({ port, env, logFile, tail });
      say(`app up (pid ${app.pid}) on ${base}`);

      const api = async <T>(method: string, pathname: string, body?: unknown, headers: Record<string, string> = {}) => {
        const res = await fetch(`${base}${pathname}`, {
          method,
          headers: {
            authorization: `Bearer ${tenant.key}`,
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await res.text();
        let parsed: EnvelopeBody<T> | null = null;
        try {
          parsed = text ? (JSON.parse(text) as EnvelopeBody<T>) : null;
        } catch {
          parsed = null;
        }
        return { status: res.status, body: parsed, text };
      };

      // Webhooks through the real HTTP API (each create probes its receiver).
      const hookByName = new Map<string, WebhookView & { receiver: FaultReceiver }>();
      for (const [i, s] of SUBSCRIPTIONS.entries()) {
        const r = receivers[i]!;
        const res = await api<WebhookView>("POST", "/api/v1/webhooks", { url: r.url, events: s.events });
        expect(res.status, res.text).toBe(201);
        const view = res.body!.data;
        r.setSecret(view.secret);
        hookByName.set(s.name, { ...view, receiver: r });
      }
      const probeErrors = receivers.flatMap((r) => r.verifyProbes());
      expect(probeErrors).toEqual([]);
      const hooks = [...hookByName.values()];
      const subscribers = (type: string) => hooks.filter((h) => h.events.includes(type)).map((h) => h.id);

      // --- Monitor: no delivery pending without a next attempt, none overdue beyond the grace.
      const kills: Kill[] = [];
      let appDown = false;
      let maxOverdueMs = 0;
      let worstOverdue: { id: string; at: number; next: number } | undefined;
      const stuck: string[] = [];
      let monitoring = true;
      const monitor = (async () => {
        while (monitoring) {
          try {
            const now = Date.now();
            const pending = await db.delivery.findMany({
              where: { workspaceId: tenant.workspaceId, status: "pending" },
              select: { id: true, nextAttemptAt: true, attemptCount: true },
            });
            for (const d of pending) {
              if (d.nextAttemptAt === null) {
                stuck.push(
                  `${new Date(now).toISOString()} ${d.id}: pending with no next attempt (attemptCount ${d.attemptCount})`,
                );
                continue;
              }
              const overdue = now - d.nextAttemptAt.getTime();
              if (overdue > maxOverdueMs) {
                maxOverdueMs = overdue;
                worstOverdue = { id: d.id, at: now, next: d.nextAttemptAt.getTime() };
              }
              if (overdue <= OVERDUE_GRACE_MS) continue;
              // Excused only while the app is down, and — for a delivery that fell due before the app was back
              // (held by the killed instance, or due while it was down) — until its run may resume after the restart.
              const excused =
                appDown ||
                kills.some(
                  (k) => d.nextAttemptAt!.getTime() <= k.readyAt && now <= k.readyAt + RESUME_AFTER_RESTART_MS,
                );
              if (!excused)
                stuck.push(
                  `${new Date(now).toISOString()} ${d.id}: overdue by ${overdue} ms (attemptCount ${d.attemptCount})`,
                );
            }
          } catch {
            // the database is shared with the app and always up; a transient error just skips a sample
          }
          await sleep(1000);
        }
      })();

      // --- Publisher: RATE events/s, each retried with its Idempotency-Key until accepted (as a client must).
      const published: Published[] = [];
      const publishErrors: string[] = [];
      let publishRetries = 0;
      let publishConflicts = 0;
      const publishStart = Date.now();
      const publishEnd = publishStart + SOAK_SECONDS * 1000;
      let nextSeq = 0;
      const publishOne = async (seq: number) => {
        const type =
          EVENT_TYPES[Math.floor(prng((SEED ^ Math.imul(seq + 1, 0x9e3779b1)) >>> 0)() * EVENT_TYPES.length)]!;
        const marker = `soak-${SEED}-${seq}`;
        const key = `soak-${SEED}-${seq}`;
        const data = {
          ...(CATALOG.find((c) => c.type === type)!.example as Record<string, unknown>),
          soakMarker: marker,
        };
        const expected = subscribers(type);
        const giveUp = Date.now() + 90_000;
        for (let tries = 1; ; tries++) {
          let outcome: string;
          try {
            const res = await api<{ id: string; type: string; webhooks: number }>(
              "POST",
              "/api/v1/events",
              { type, data },
              { "idempotency-key": key },
            );
            if (res.status === 202 && res.body?.success) {
              const d = res.body.data;
              if (d.webhooks !== expected.length)
                publishErrors.push(`${marker}: answer says ${d.webhooks} webhooks, ${expected.length} subscribed`);
              published.push({ seq, key, type, marker, eventId: d.id, expected, tries });
              return;
            }
            outcome = `${res.status} ${res.text.slice(0, 200)}`;
            if (res.status === 409) publishConflicts++;
            if (res.status !== 409 && res.status < 500) {
              publishErrors.push(`${marker}: refused: ${outcome}`);
              return;
            }
          } catch (err) {
            outcome =
              err instanceof Error
                ? `${err.message}${err.cause instanceof Error ? `: ${err.cause.message}` : ""}`
                : String(err);
          }
          publishRetries++;
          if (Date.now() > giveUp) {
            publishErrors.push(`${marker}: not accepted after ${tries} tries in 90 s; last answer: ${outcome}`);
            return;
          }
          await sleep(250);
        }
      };
      const publishers = Array.from({ length: 6 }, async () => {
        while (true) {
          const seq = nextSeq++;
          const due = publishStart + (seq * 1000) / RATE;
          if (due >= publishEnd) return;
          if (due > Date.now()) await sleep(due - Date.now());
          await publishOne(seq);
        }
      });

      // --- Chaos: SIGKILL the app's process group at random moments, restart at once.
      const chaosDone = (async () => {
        for (let i = 0; i < KILLS; i++) {
          const at = publishStart + SOAK_SECONDS * 1000 * (0.1 + (0.8 * (i + chaos())) / KILLS);
          const earliest = (kills.at(-1)?.readyAt ?? 0) + 5000;
          await sleep(Math.max(at, earliest) - Date.now());
          const victim = app!;
          appDown = true;
          const killedAt = Date.now();
          await victim.kill();
          say(`SIGKILLed the app's process group (pid ${victim.pid}); restarting`);
          await sleep(chaos() * 2000);
          app = await startApp({ port, env, logFile, tail });
          appDown = false;
          kills.push({ at: killedAt, pid: victim.pid, readyAt: Date.now() });
          say(`restarted (pid ${app.pid}) after ${((Date.now() - killedAt) / 1000).toFixed(1)}s`);
        }
      })();

      await Promise.all([...publishers, chaosDone]);
      say(`publishing stopped: ${published.length} events accepted, ${publishRetries} retried requests`);

      // --- Quiescence: every delivery made and out of `pending`, no run queued or running.
      const expectedDeliveries = published.reduce((n, p) => n + p.expected.length, 0);
      const quiet = async () => {
        const [made, pending, active] = await Promise.all([
          db.delivery.count({ where: { workspaceId: tenant.workspaceId } }),
          db.delivery.count({ where: { workspaceId: tenant.workspaceId, status: "pending" } }),
          db.$queryRaw<
            { n: number }[]
          >`SELECT count(*)::int AS n FROM "ExecutorRun" WHERE status IN ('queued', 'running')`,
        ]);
        return { made, pending, active: active[0]?.n ?? 0 };
      };
      const quietDeadline = Date.now() + QUIESCENCE_TIMEOUT_MS;
      let state = await quiet();
      while (!(state.made >= expectedDeliveries && state.pending === 0 && state.active === 0)) {
        if (Date.now() > quietDeadline) break;
        await sleep(500);
        state = await quiet();
      }
      say(`quiescence: ${JSON.stringify(state)} (expected ${expectedDeliveries} deliveries)`);
      const hitsAtRest = receivers.reduce((n, r) => n + r.hits.length, 0);
      await sleep(2000);
      monitoring = false;
      await monitor;
      const problems: string[] = [];
      const problem = (m: string) => problems.push(m);
      if (state.pending || state.active || state.made < expectedDeliveries)
        problem(`no quiescence within ${QUIESCENCE_TIMEOUT_MS} ms: ${JSON.stringify(state)}`);
      const hitsAfter = receivers.reduce((n, r) => n + r.hits.length, 0);
      if (hitsAfter !== hitsAtRest) problem(`${hitsAfter - hitsAtRest} requests arrived after the system was at rest`);
      problems.push(...publishErrors);
      problems.push(...stuck.slice(0, 20));

      // --- Gather the logs.
      const events = await db.event.findMany({ where: { workspaceId: tenant.workspaceId } });
      const deliveries = await db.delivery.findMany({
        where: { workspaceId: tenant.workspaceId },
        include: { attempts: true },
      });
      const failedRuns = await db.$queryRaw<{ id: string; functionId: string; error: unknown }[]>`
        SELECT id, "functionId", error FROM "ExecutorRun" WHERE status = 'failed'`;
      for (const r of failedRuns)
        problem(`function run ${r.id} (${r.functionId}) failed: ${JSON.stringify(r.error).slice(0, 300)}`);

      // Events: every accepted one stored once; nothing stored that was not accepted.
      const eventById = new Map(events.map((e) => [e.id, e]));
      const publishedById = new Map(published.map((p) => [p.eventId, p]));
      if (publishedById.size !== published.length)
        problem(`${published.length - publishedById.size} accepted publishes share an event id`);
      for (const p of published) {
        const e = eventById.get(p.eventId);
        if (!e) problem(`${p.marker}: accepted as ${p.eventId} but not stored`);
        else if (e.type !== p.type || (JSON.parse(e.data) as { soakMarker?: unknown }).soakMarker !== p.marker)
          problem(`${p.marker}: stored as another event`);
      }
      for (const e of events)
        if (!publishedById.has(e.id))
          problem(`event ${e.id} (${e.type}) stored but never accepted (an orphan of a crash?)`);

      // Deliveries: exactly one per (published event, subscribed webhook), nothing else.
      const deliveriesByEvent = new Map<string, typeof deliveries>();
      for (const d of deliveries) {
        if (d.kind !== "event") continue;
        const list = deliveriesByEvent.get(d.eventId ?? "") ?? [];
        list.push(d);
        deliveriesByEvent.set(d.eventId ?? "", list);
      }
      for (const p of published) {
        const got = (deliveriesByEvent.get(p.eventId) ?? []).map((d) => d.webhookId).sort();
        const want = [...p.expected].sort();
        if (JSON.stringify(got) !== JSON.stringify(want))
          problem(`${p.marker}: deliveries to ${JSON.stringify(got)}, subscribed ${JSON.stringify(want)}`);
      }
      for (const d of deliveries) {
        if (d.kind !== "event" || !publishedById.has(d.eventId ?? ""))
          problem(`delivery ${d.id} (${d.kind}) belongs to no accepted event`);
      }
      if (new Set(deliveries.map((d) => d.messageId)).size !== deliveries.length)
        problem("two deliveries share a webhook-id");

      // Receivers against the log.
      // The kill that explains a request missing from the log: the first one after it (2 s slack for this process's event loop).
      const killWindow = (h: Hit) => kills.findIndex((k) => h.receivedAt <= k.at + 2000);
      let maxUnrecordedLeadMs = 0;
      let attemptsTotal = 0;
      let lostRecords = 0;
      let duplicateSuccesses = 0;
      let signatureFailures = 0;
      for (const hook of hooks) {
        const r = hook.receiver;
        const mine = deliveries.filter((d) => d.webhookId === hook.id);
        const hitsById = new Map<string, Hit[]>();
        const idsByBody = new Map<string, Set<string>>();
        for (const h of r.hits) {
          if (!h.signatureOk) {
            signatureFailures++;
            problem(`${r.name}: signature of ${h.messageId} did not verify: ${h.signatureError}`);
          }
          hitsById.set(h.messageId, [...(hitsById.get(h.messageId) ?? []), h]);
          idsByBody.set(h.body, (idsByBody.get(h.body) ?? new Set()).add(h.messageId));
        }
        for (const [body, ids] of idsByBody)
          if (ids.size > 1)
            problem(`${r.name}: one body under ${ids.size} webhook-ids ${[...ids].join(", ")}: ${body.slice(0, 120)}`);
        const known = new Set(mine.map((d) => d.messageId));
        for (const id of hitsById.keys())
          if (!known.has(id)) problem(`${r.name}: received ${id}, which is no delivery of this webhook`);

        const finalAt = (d: (typeof mine)[number]) => Math.max(0, ...d.attempts.map((a) => a.startedAt.getTime()));
        for (const d of mine) {
          const hs = hitsById.get(d.messageId) ?? [];
          const attempts = [...d.attempts].sort((x, y) => x.attemptNumber - y.attemptNumber);
          attemptsTotal += attempts.length;
          const tag = `${r.name} ${d.id} (${d.messageId})`;
          if (attempts.length !== d.attemptCount || attempts.some((a, i) => a.attemptNumber !== i + 1)) {
            problem(
              `${tag}: attemptCount ${d.attemptCount} but attempts numbered ${JSON.stringify(attempts.map((a) => a.attemptNumber))}`,
            );
          }
          if (d.attemptCount > MAX_ATTEMPTS)
            problem(`${tag}: ${d.attemptCount} attempts, more than the schedule's ${MAX_ATTEMPTS}`);
          for (const h of hs)
            if (h.body !== d.payload) problem(`${tag}: a request's body differs from the stored payload`);
          const p = publishedById.get(d.eventId ?? "");
          if (p && !d.payload.includes(`"${p.marker}"`))
            problem(`${tag}: payload lacks the event's marker ${p.marker}`);

          // Each recorded attempt is one request the receiver saw, with the status it answered.
          const matched = new Set<Hit>();
          for (const a of attempts) {
            const ts = Math.floor(a.startedAt.getTime() / 1000);
            const h = hs.find((x) => x.timestamp === ts && !matched.has(x));
            if (!h) {
              problem(
                `${tag}: attempt ${a.attemptNumber} (${a.startedAt.toISOString()}, ${a.statusCode ?? a.error}) matches no received request`,
              );
              continue;
            }
            matched.add(h);
            if ((h.action === "timeout" || h.action === "reset") && a.statusCode !== null) {
              problem(
                `${tag}: attempt ${a.attemptNumber} recorded status ${a.statusCode} but the receiver ${h.action === "timeout" ? "never answered" : "reset the connection"}`,
              );
            }
            if (a.statusCode !== null && a.statusCode !== h.answered)
              problem(
                `${tag}: attempt ${a.attemptNumber} recorded ${a.statusCode}, the receiver answered ${h.answered}`,
              );
            if (a.statusCode === null && !a.error)
              problem(`${tag}: attempt ${a.attemptNumber} has neither a status nor an error`);
          }
          const last = attempts.at(-1);
          if (
            last &&
            (d.statusCode !== last.statusCode ||
              d.success !== (last.statusCode !== null && last.statusCode >= 200 && last.statusCode < 300))
          ) {
            problem(
              `${tag}: delivery says status ${d.statusCode}/success ${d.success}, last attempt ${last.statusCode}`,
            );
          }
          // Requests the log does not show: only ones in flight when the app was killed, one per kill at most.
          const perKill = new Map<number, number>();
          for (const h of hs) {
            if (matched.has(h)) continue;
            const k = killWindow(h);
            const lead = k < 0 ? Infinity : kills[k]!.at - h.receivedAt;
            if (lead > UNRECORDED_LEAD_MS) {
              problem(
                `${tag}: request at ${new Date(h.receivedAt).toISOString()} (${h.action}) is in no attempt record and no crash explains it`,
              );
              continue;
            }
            maxUnrecordedLeadMs = Math.max(maxUnrecordedLeadMs, lead);
            perKill.set(k, (perKill.get(k) ?? 0) + 1);
            lostRecords++;
          }
          for (const [k, n] of perKill) if (n > 1) problem(`${tag}: ${n} unrecorded requests around kill ${k + 1}`);

          const okHits = hs.filter((h) => h.answered !== null && h.answered >= 200 && h.answered < 300).length;
          if (r.mode === "flaky") {
            if (d.status !== "succeeded")
              problem(`${tag}: ended ${d.status} (${d.error}) after ${d.attemptCount} attempts`);
            if (okHits === 0) problem(`${tag}: the receiver never answered it 2xx`);
            duplicateSuccesses += Math.max(0, okHits - 1);
          } else {
            if (d.status !== "failed" || d.attemptCount !== MAX_ATTEMPTS)
              problem(
                `${tag}: doomed delivery ended ${d.status} after ${d.attemptCount} attempts (want failed after ${MAX_ATTEMPTS})`,
              );
            if (okHits > 0) problem(`${tag}: the doomed receiver answered 2xx`);
          }
          if (hs.filter((h) => FAILING_ACTIONS.has(h.action)).length > FAILURE_CAP && r.mode === "flaky")
            problem(`${tag}: receiver failed it more than ${FAILURE_CAP} times`);
        }

        // failureCount = trailing consecutive failed deliveries (by the time of their last attempt), via the API too.
        const ordered = [...mine].sort((x, y) => finalAt(x) - finalAt(y));
        let trailing = 0;
        for (let i = ordered.length - 1; i >= 0 && ordered[i]!.status === "failed"; i--) trailing++;
        const row = await db.webhook.findUniqueOrThrow({ where: { id: hook.id } });
        const viaApi = await api<WebhookView>("GET", `/api/v1/webhooks/${hook.id}`);
        if (row.failureCount !== trailing)
          problem(`${r.name}: failureCount ${row.failureCount}, trailing failed deliveries ${trailing}`);
        if (viaApi.body?.data.failureCount !== row.failureCount)
          problem(`${r.name}: API shows failureCount ${viaApi.body?.data.failureCount}, database ${row.failureCount}`);
        if (!row.isActive) problem(`${r.name}: endpoint was disabled: ${row.disabledReason}`);
        if (r.mode === "doomed" && trailing !== mine.length)
          problem(`${r.name}: ${mine.length} deliveries but ${trailing} trailing failures`);
      }

      const requestsTotal = receivers.reduce((n, r) => n + r.hits.length, 0);
      const summary = {
        seed: SEED,
        durationS: Math.round((Date.now() - began) / 100) / 10,
        publishSeconds: SOAK_SECONDS,
        events: published.length,
        publishRetries,
        publish409InProgress: publishConflicts,
        maxPublishTries: Math.max(0, ...published.map((p) => p.tries)),
        deliveries: deliveries.length,
        succeeded: deliveries.filter((d) => d.status === "succeeded").length,
        failedAsIntended: deliveries.filter((d) => d.status === "failed").length,
        attempts: attemptsTotal,
        receiverRequests: requestsTotal,
        actions: Object.fromEntries(
          (["ok", "slow", "status500", "status429", "timeout", "reset"] as const).map((a) => [
            a,
            receivers.reduce((n, r) => n + r.hits.filter((h) => h.action === a).length, 0),
          ]),
        ),
        duplicateSuccesses,
        unrecordedRequestsAtCrashes: lostRecords,
        maxUnrecordedLeadS: Math.round(maxUnrecordedLeadMs / 100) / 10,
        signatureFailures,
        kills: kills.map((k) => ({
          atS: Math.round((k.at - began) / 100) / 10,
          downS: Math.round((k.readyAt - k.at) / 100) / 10,
        })),
        maxOverdueS: Math.round(maxOverdueMs / 100) / 10,
        worstOverdue: worstOverdue && {
          delivery: worstOverdue.id,
          dueAtS: Math.round((worstOverdue.next - began) / 100) / 10,
          seenAtS: Math.round((worstOverdue.at - began) / 100) / 10,
          attemptsAtS: deliveries
            .find((d) => d.id === worstOverdue!.id)
            ?.attempts.sort((x, y) => x.attemptNumber - y.attemptNumber)
            .map((a) => `${a.attemptNumber}@${Math.round((a.startedAt.getTime() - began) / 100) / 10}`)
            .join(" "),
        },
        problems: problems.length,
      };
      say(`summary ${JSON.stringify(summary, null, 2)}`);
      if (problems.length) say(`app log tail:\n${tail.slice(-30).join("\n")}`);
      expect(problems.slice(0, 40), `${problems.length} problems (seed ${SEED})`).toEqual([]);
      expect(published.length).toBeGreaterThan(SOAK_SECONDS * RATE * 0.9);
      expect(kills).toHaveLength(KILLS);
    },
    (SOAK_SECONDS + 360) * 1000,
  );
});
