import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "@/lib/db";
import { CATALOG } from "@/lib/events/catalog";
import { buildPresent, startApp, type AppProcess } from "@/test/soak/app-process";
import { makeTenant } from "@/test/support/api";
import { seedWebhook } from "@/test/support/fixtures";
import { freePort } from "@/test/support/global-setup";
import { startReceiver, testTls, type Receiver } from "@/test/support/https-receiver";

/**
 * Scale-out on the embedded default: two production app processes (`npm
 * start`, each with its own embedded executor, no Inngest server) on ONE
 * PostgreSQL (this file's database on the test server), events published
 * continuously over HTTP to both, one instance SIGKILLed (its whole process
 * group) mid-way, publishing going on against the survivor. Checks:
 *
 * - both instances ran deliveries while both were alive;
 * - the runs the dead instance held when it died were finished by the
 *   survivor within TAKEOVER_MS;
 * - every published event reached every webhook; duplicates only ever share a
 *   `webhook-id` (a request in flight at the kill is sent again with the same id);
 * - a POST that failed because its instance died, retried on the survivor with
 *   the same Idempotency-Key, published its event exactly once.
 *
 * Which instance ran a run: the executor leases a run to its instance id
 * (`ExecutorRun.lockedBy` = `<hostname>:<pid>:<random>`, see
 * inngest/embedded/executor.ts) while it runs it; this test samples the
 * running runs every SAMPLE_MS and maps the pid to the app's process group.
 * The receiver answers after RECEIVER_DELAY_MS so that runs stay leased long
 * enough to be seen, and so that the killed instance has deliveries in flight.
 *
 * Bounded: about a minute (two app starts, PUBLISH_BEFORE_KILL_MS +
 * PUBLISH_AFTER_KILL_MS of publishing, the drain). Needs the production build
 * (skipped with a message without it, a failure in CI).
 */

const WEBHOOKS = 3;
const EVENTS_PER_SECOND = 8;
const PUBLISH_BEFORE_KILL_MS = 12_000;
const PUBLISH_AFTER_KILL_MS = 8_000;
const RECEIVER_DELAY_MS = 250;
const SAMPLE_MS = 50;
/** The survivor requeues a dead instance's runs at its next maintenance (≤ 5 s), then runs them. */
const TAKEOVER_MS = 20_000;
const DRAIN_MS = 60_000;
/** How long a publish is retried (a claim left by a killed instance is taken over once 10 s old). */
const RETRY_PUBLISH_FOR_MS = 30_000;

const build = buildPresent();
if (!build && !process.env.CI) {
  console.warn(
    "[two-instances] SKIPPED: no production build (.next/BUILD_ID). Run `npm run build` first; in CI (CI set) this is a failure.",
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tmp = mkdtempSync(path.join(tmpdir(), "akol-two-instances-"));
const apps: AppProcess[] = [];
let receiver: Receiver | undefined;
const tails: string[][] = [[], []];

afterAll(async () => {
  for (const a of apps) await a.stop(10_000).catch(() => undefined);
  await receiver?.close();
  if (!process.env.SOAK_KEEP_LOGS) rmSync(tmp, { recursive: true, force: true });
});

function appEnv(port: number, i: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    DATA_DIR: path.join(tmp, `data-${i}`),
    WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
    NODE_EXTRA_CA_CERTS: testTls().caPath,
    API_RATE_LIMIT_PER_MINUTE: "1000000",
    LOG_LEVEL: "info",
  };
  for (const k of Object.keys(env)) {
    if (k.startsWith("VITEST") || k === "NODE_OPTIONS" || k.startsWith("INNGEST_")) delete env[k];
  }
  return env;
}

/** The process group of a pid (field 5 of /proc/<pid>/stat), or undefined when it is gone. */
function processGroup(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}

type Published = { callId: string; key: string; eventId?: string; retriedElsewhere: boolean };

describe.skipIf(!build)("two embedded instances on one PostgreSQL", () => {
  it("share the work, the survivor takes over the dead one's runs, and every delivery arrives", async () => {
    receiver = await startReceiver(async (_req, res) => {
      await sleep(RECEIVER_DELAY_MS);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
    const tenant = await makeTenant("two-instances");
    for (let i = 0; i < WEBHOOKS; i++) {
      await seedWebhook(tenant.workspaceId, { url: `${receiver.url}?hook=${i}`, events: ["call.ended"] });
    }
    const ports = [await freePort(), await freePort()];
    // One after the other: the launchers would otherwise both apply migrations (safe, under a lock, but slower).
    for (let i = 0; i < 2; i++) {
      apps.push(
        await startApp({
          port: ports[i]!,
          env: appEnv(ports[i]!, i),
          logFile: path.join(tmp, `app-${i}.log`),
          tail: tails[i]!,
          readyTimeoutMs: 150_000, // under a full `npm test`, next start competes with the other test files
        }),
      );
    }
    const [a, b] = apps as [AppProcess, AppProcess];
    const ownerOf = new Map<string, number>(); // lockedBy → index into apps
    const instanceOf = (lockedBy: string): number | undefined => {
      if (!ownerOf.has(lockedBy)) {
        const pid = Number(lockedBy.split(":").at(-2));
        const group = processGroup(pid);
        const i = apps.findIndex((app) => app.pid === group);
        if (i >= 0) ownerOf.set(lockedBy, i);
      }
      return ownerOf.get(lockedBy);
    };

    // Sampling who runs what.
    const seenWhileBoth: Array<Set<string>> = [new Set(), new Set()];
    let bothAlive = true;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await pool().query<{ id: string; lockedBy: string }>(
          `SELECT id, "lockedBy" FROM "ExecutorRun" WHERE status = 'running' AND "lockedBy" IS NOT NULL`,
        );
        for (const r of rows) {
          const i = instanceOf(r.lockedBy);
          if (i === undefined) continue;
          if (bothAlive) seenWhileBoth[i]!.add(r.id);
        }
        await sleep(SAMPLE_MS);
      }
    })();

    // Publishing: round robin over the live instances; a failed POST is retried on another live instance
    // with the same Idempotency-Key (as a client behind a load balancer would).
    const example = CATALOG.find((c) => c.type === "call.ended")!.example as Record<string, unknown>;
    const published: Published[] = [];
    const live = [a, b];
    let seq = 0;
    const publishOne = async () => {
      const n = ++seq;
      const p: Published = { callId: `call_two_${n}`, key: `two-${n}`, retriedElsewhere: false };
      published.push(p);
      const body = JSON.stringify({ type: "call.ended", data: { ...example, callId: p.callId } });
      // A key whose first request died with its instance answers 409 until its claim is stale (10 s), then
      // the retry takes it over: keep retrying for a while, as a client with an Idempotency-Key would.
      const giveUpAt = Date.now() + RETRY_PUBLISH_FOR_MS;
      for (let tries = 0; !p.eventId && Date.now() < giveUpAt; tries++) {
        const target = live[(n + tries) % live.length]!;
        if (tries > 0) p.retriedElsewhere = true;
        try {
          const res = await fetch(`${target.url}/api/v1/events`, {
            method: "POST",
            headers: {
              authorization: `Bearer ${tenant.key}`,
              "content-type": "application/json",
              "idempotency-key": p.key,
            },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          const json = (await res.json()) as { data?: { id: string } };
          if (res.status === 202 && json.data) p.eventId = json.data.id;
          else if (res.status !== 409 && res.status < 500) throw new Error(`publish: HTTP ${res.status}`);
        } catch (err) {
          if (err instanceof Error && err.message.startsWith("publish:")) throw err;
        }
        if (!p.eventId) await sleep(500);
      }
    };
    const inFlight: Array<Promise<void>> = [];
    const publishFor = async (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        inFlight.push(publishOne());
        await sleep(1000 / EVENTS_PER_SECOND);
      }
    };

    await publishFor(PUBLISH_BEFORE_KILL_MS);
    // Kill B while it holds runs (so that there is something to take over): the runs it holds just before
    // the kill, and those it still holds right after (before A requeues them), are the ones to take over.
    const victim = 1;
    const bOwners = () => [...ownerOf.entries()].filter(([, i]) => i === victim).map(([o]) => o);
    const heldByB = async () =>
      (
        await pool().query<{ id: string }>(
          `SELECT id FROM "ExecutorRun" WHERE status = 'running' AND "lockedBy" = ANY($1::text[])`,
          [bOwners()],
        )
      ).rows.map((r) => r.id);
    // Publishing goes on meanwhile: with batched fan-out, work ends soon after the last publish.
    let bridging = true;
    const bridge = (async () => {
      while (bridging) {
        inFlight.push(publishOne());
        await sleep(1000 / EVENTS_PER_SECOND);
      }
    })();
    let before: string[] = [];
    const holdDeadline = Date.now() + 10_000;
    while (Date.now() < holdDeadline && before.length === 0) {
      before = await heldByB();
      if (before.length === 0) await sleep(20);
    }
    const killedAt = Date.now();
    const killing = b.kill();
    bothAlive = false;
    live.splice(live.indexOf(b), 1);
    const after = await heldByB();
    bridging = false;
    await bridge;
    const orphanIds = [...new Set([...before, ...after])];
    await killing;

    // The dead instance's runs finish on the survivor, promptly (watched while publishing goes on).
    const takeover = (async () => {
      while (Date.now() - killedAt < TAKEOVER_MS + 5_000) {
        const { rows } = await pool().query<{ n: string }>(
          `SELECT count(*) AS n FROM "ExecutorRun" WHERE id = ANY($1::text[]) AND status <> 'completed'`,
          [orphanIds],
        );
        if (Number(rows[0]!.n) === 0) return Date.now() - killedAt;
        await sleep(100);
      }
      return -1;
    })();
    await publishFor(PUBLISH_AFTER_KILL_MS);
    await Promise.all(inFlight);
    const takeoverMs = await takeover;

    // Every delivery arrives.
    const expected = published.length * WEBHOOKS;
    const byEventAndHook = new Map<string, Set<string>>(); // callId|hook → webhook-ids
    const drainDeadline = Date.now() + DRAIN_MS;
    const tally = () => {
      byEventAndHook.clear();
      for (const r of receiver!.requests) {
        const callId = (JSON.parse(r.body) as { data: { callId: string } }).data.callId;
        const hook = new URL(r.path, "https://x").searchParams.get("hook");
        const k = `${callId}|${hook}`;
        let s = byEventAndHook.get(k);
        if (!s) byEventAndHook.set(k, (s = new Set()));
        s.add(String(r.headers["webhook-id"]));
      }
    };
    while (Date.now() < drainDeadline) {
      tally();
      if (byEventAndHook.size >= expected) break;
      await sleep(200);
    }
    await sleep(1000); // let stragglers (duplicates) show up
    tally();
    sampling = false;
    await sampler;

    const survivorRuns = seenWhileBoth[0]!.size;
    const victimRuns = seenWhileBoth[1]!.size;
    const requests = receiver.requests.length;
    const summary =
      `published ${published.length} events (${published.filter((p) => p.retriedElsewhere).length} needed a retry), ` +
      `${expected} deliveries expected, ${byEventAndHook.size} arrived, ${requests} requests; ` +
      `runs seen while both ran: A ${survivorRuns}, B ${victimRuns}; B held ${orphanIds.length} runs at the kill (${after.length} still running right after it), ` +
      `finished by A after ${takeoverMs} ms`;
    console.log(`[two-instances] ${summary}`);
    const context = `${summary}\n--- A:\n${tails[0]!.slice(-20).join("\n")}\n--- B:\n${tails[1]!.slice(-20).join("\n")}`;

    // Every event published once, even the ones whose first POST died with B.
    expect(
      published.every((p) => p.eventId),
      context,
    ).toBe(true);
    expect(new Set(published.map((p) => p.eventId)).size).toBe(published.length);
    // Both shared the work while alive: each ran at least a fifth of what the other ran.
    expect(survivorRuns, context).toBeGreaterThan(0);
    expect(victimRuns, context).toBeGreaterThan(0);
    expect(Math.min(survivorRuns, victimRuns) / Math.max(survivorRuns, victimRuns), context).toBeGreaterThan(0.2);
    // The survivor finished the dead instance's runs promptly.
    expect(orphanIds.length, context).toBeGreaterThan(0);
    expect(takeoverMs, context).toBeGreaterThanOrEqual(0);
    expect(takeoverMs, context).toBeLessThanOrEqual(TAKEOVER_MS);
    // Each completed — or, for a route row (events stored by the API process, routed by an executor, then
    // deleted), consumed (route rows are routed in bulk by whichever instance gets there first, not leased).
    const { rows: unfinished } = await pool().query<{ id: string; functionId: string; status: string }>(
      `SELECT id, "functionId", status FROM "ExecutorRun" WHERE id = ANY($1::text[]) AND status <> 'completed'`,
      [orphanIds],
    );
    expect(unfinished, context).toEqual([]);
    // Every delivery arrived; duplicates only with the same webhook-id.
    const callIds = new Set(published.map((p) => p.callId));
    for (const p of published) {
      for (let h = 0; h < WEBHOOKS; h++) {
        const ids = byEventAndHook.get(`${p.callId}|${h}`);
        expect(ids?.size, `${p.callId} → hook ${h}\n${context}`).toBe(1);
      }
    }
    expect([...byEventAndHook.keys()].every((k) => callIds.has(k.split("|")[0]!))).toBe(true);
  }, 360_000);
});
