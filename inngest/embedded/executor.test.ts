import { Inngest, NonRetriableError, RetryAfterError } from "inngest";
import { serve } from "inngest/next";
import pg from "pg";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { embeddedFetch, withEmbeddedMode } from "@/inngest/embedded/client";
import {
  type EmbeddedExecutor,
  type EmbeddedExecutorOptions,
  startEmbeddedExecutor,
} from "@/inngest/embedded/executor";
import { UnsupportedFunctionOptionError } from "@/inngest/embedded/protocol";
import { embeddedSigningKey, signRequest } from "@/inngest/embedded/signing";
import { counter, firstCallBody, runs, silentLogger, waitFor } from "@/test/support/executor";
import { pool } from "@/lib/db";

/**
 * The executor against real PostgreSQL and the real SDK `serve()` handler
 * (inngest/next), called in-process.
 */

const inngest = new Inngest(withEmbeddedMode({ id: "t", logger: silentLogger }));
const hits = counter();
const times = new Map<string, number[]>();
const stamp = (k: string) => times.set(k, [...(times.get(k) ?? []), Date.now()]);
const failures: Array<{ message: string; data: unknown; fn: string }> = [];

const fns = [
  inngest.createFunction({ id: "memo", triggers: [{ event: "t/memo" }] }, async ({ event, step }) => {
    const k = String(event.data.k);
    const a = await step.run("a", () => {
      hits.bump(`memo:a:${k}`);
      return 20;
    });
    await step.sleep("nap", String(event.data.sleep ?? "1s"));
    const b = await step.run("b", async () => {
      hits.bump(`memo:b:${k}`);
      if (event.data.slowB) await new Promise((r) => setTimeout(r, Number(event.data.slowB)));
      return 22;
    });
    return { sum: a + b };
  }),
  inngest.createFunction({ id: "flaky", retries: 3, triggers: [{ event: "t/flaky" }] }, async ({ event, step }) => {
    const k = String(event.data.k);
    const v = await step.run("flaky-step", () => {
      const n = hits.bump(`flaky:${k}`);
      if (n < 3) throw new Error(`boom ${n}`);
      return `ok after ${n}`;
    });
    return v;
  }),
  inngest.createFunction({ id: "later", retries: 2, triggers: [{ event: "t/later" }] }, async ({ event, step }) => {
    const k = String(event.data.k);
    return step.run("later-step", () => {
      stamp(`later:${k}`);
      if (hits.bump(`later:${k}`) === 1) throw new RetryAfterError("not yet", "2s");
      return "done";
    });
  }),
  inngest.createFunction(
    {
      id: "doomed",
      retries: 5,
      triggers: [{ event: "t/doomed" }],
      onFailure: async ({ error, event }) => {
        failures.push({ message: error.message, data: event.data.event.data, fn: String(event.data.function_id) });
      },
    },
    async ({ step }) => {
      await step.run("doomed-step", () => {
        hits.bump("doomed");
        throw new NonRetriableError("cannot ever work");
      });
    },
  ),
  inngest.createFunction({ id: "parent", triggers: [{ event: "t/parent" }] }, async ({ event, step }) => {
    await step.sendEvent("fan-out", [
      { name: "t/child", data: { k: event.data.k, n: 1 } },
      { name: "t/child", data: { k: event.data.k, n: 2 } },
    ]);
    await inngest.send({ name: "t/child", data: { k: event.data.k, n: 3 } });
    return "sent";
  }),
  inngest.createFunction({ id: "child", triggers: [{ event: "t/child" }] }, async ({ event, step }) => {
    await step.run("child-step", () => hits.bump(`child:${String(event.data.k)}:${String(event.data.n)}`));
  }),
  inngest.createFunction(
    {
      id: "throttled",
      throttle: { limit: 2, period: "2s", key: "event.data.key" },
      triggers: [{ event: "t/throttled" }],
    },
    async ({ event, step }) => {
      await step.run("start", () => stamp(`throttled:${String(event.data.key)}`));
    },
  ),
  inngest.createFunction(
    { id: "cancellable", cancelOn: [{ event: "t/cancel", match: "data.id" }], triggers: [{ event: "t/start" }] },
    async ({ event, step }) => {
      await step.run("before", () => hits.bump(`cancellable:before:${String(event.data.id)}`));
      await step.sleep("long", "30s");
      await step.run("after", () => hits.bump(`cancellable:after:${String(event.data.id)}`));
    },
  ),
  inngest.createFunction({ id: "ticker", triggers: [{ cron: "*/5 * * * *" }] }, async ({ event, step }) => {
    await step.run("tick", () => hits.bump(`tick:${String((event.data as { cron?: string }).cron)}`));
  }),
  inngest.createFunction({ id: "shared", triggers: [{ event: "t/shared" }] }, async ({ event, step }) => {
    const k = String(event.data.k);
    await step.run("one", () => hits.bump(`shared:one:${k}`));
    await step.run("two", () => hits.bump(`shared:two:${k}`));
  }),
  inngest.createFunction({ id: "parallel", triggers: [{ event: "t/parallel" }] }, async ({ event, step }) => {
    const k = String(event.data.k);
    const [x, y] = await Promise.all([
      step.run("x", () => hits.bump(`parallel:x:${k}`) * 10),
      step.run("y", () => hits.bump(`parallel:y:${k}`) * 100),
    ]);
    const z = await step.run("z", () => hits.bump(`parallel:z:${k}`));
    return x + y + z;
  }),
  inngest.createFunction({ id: "chain", triggers: [{ event: "t/chain" }] }, async ({ event, step }) => {
    const k = String(event.data.k);
    for (const s of ["s1", "s2", "s3"]) {
      await step.run(s, async () => {
        hits.bump(`chain:${s}:${k}`);
        await new Promise((r) => setTimeout(r, 300));
      });
    }
    return "chained";
  }),
  inngest.createFunction({ id: "waiter", triggers: [{ event: "t/waiter" }] }, async ({ step }) => {
    await step.waitForEvent("wait", { event: "t/never", timeout: "1h" });
  }),
];

const handler = serve({ client: inngest, functions: fns });

// Timestamps are UTC whatever the session time zone: run every test in a non-UTC one.
beforeAll(async () => {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const { rows } = await c.query<{ db: string }>("SELECT current_database() AS db");
  await c.query(`ALTER DATABASE "${rows[0]!.db}" SET timezone TO 'America/New_York'`);
  await c.end();
});

const started: EmbeddedExecutor[] = [];
async function start(opts: Partial<EmbeddedExecutorOptions> = {}): Promise<EmbeddedExecutor> {
  const ex = await startEmbeddedExecutor({
    handler,
    serveUrl: "http://localhost/api/inngest",
    pollIntervalMs: 100,
    leaseMs: 2000,
    retryBackoffMs: () => 50,
    ...opts,
  });
  started.push(ex);
  return ex;
}

afterEach(async () => {
  for (const ex of started.splice(0)) await ex.stop({ timeoutMs: 2000 });
});

const fnRuns = (fn: string, key: string, value: string) =>
  runs(`"functionId" = $1 AND event -> 'data' ->> $2 = $3`, [`t-${fn}`, key, value]);

describe("embedded executor", () => {
  it("syncs the served functions", async () => {
    const ex = await start();
    expect((await pool().query<{ tz: string }>("SELECT current_setting('TimeZone') AS tz")).rows[0]!.tz).toBe(
      "America/New_York",
    );
    expect(ex.functions.map((f) => f.id)).toEqual(
      expect.arrayContaining(["t-memo", "t-doomed", "t-doomed-failure", "t-ticker"]),
    );
    expect(ex.functions.find((f) => f.id === "t-flaky")?.maxAttempts).toBe(4);
    expect(ex.functions.find((f) => f.id === "t-doomed-failure")?.maxAttempts).toBe(2);
  });

  it("runs a multi-step function with a real sleep, memoizing each step", async () => {
    const ex = await start();
    const t0 = Date.now();
    await ex.send({ name: "t/memo", data: { k: "plain" } });
    const [run] = await waitFor(async () => {
      const r = await fnRuns("memo", "k", "plain");
      return r[0]?.status === "completed" ? r : undefined;
    }, "memo run to complete");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(run!.output).toEqual({ sum: 42 });
    expect(run!.stack).toHaveLength(3); // a, nap, b
    expect(hits.get("memo:a:plain")).toBe(1);
    expect(hits.get("memo:b:plain")).toBe(1);
  });

  it("resumes after a crash mid-sleep on another executor without re-running finished steps", async () => {
    const a = await start({ instanceId: "crashing" });
    await a.send({ name: "t/memo", data: { k: "crash-sleep", sleep: "2s" } });
    await waitFor(async () => {
      const [r] = await fnRuns("memo", "k", "crash-sleep");
      return r && Object.values(r.steps).some((s) => s.type === "sleep") && r.status === "queued";
    }, "run to be sleeping");
    await a.stop({ abandon: true });
    const b = await start({ instanceId: "survivor" });
    const [run] = await waitFor(async () => {
      const r = await fnRuns("memo", "k", "crash-sleep");
      return r[0]?.status === "completed" ? r : undefined;
    }, "run to complete on the second executor");
    expect(run!.output).toEqual({ sum: 42 });
    expect(hits.get("memo:a:crash-sleep")).toBe(1);
    expect(hits.get("memo:b:crash-sleep")).toBe(1);
    await b.stop();
  });

  it("reclaims an expired lease after a crash mid-step; only the interrupted step runs again", async () => {
    const a = await start({ instanceId: "crash-mid-step" });
    await a.send({ name: "t/memo", data: { k: "crash-step", sleep: "1s", slowB: 600 } });
    await waitFor(() => hits.get("memo:b:crash-step") === 1, "step b to start");
    await a.stop({ abandon: true }); // step b's result is never persisted
    await start({ instanceId: "rescuer" });
    const [run] = await waitFor(
      async () => {
        const r = await fnRuns("memo", "k", "crash-step");
        return r[0]?.status === "completed" ? r : undefined;
      },
      "run to complete after the lease expired",
      20_000,
    );
    expect(run!.output).toEqual({ sum: 42 });
    expect(hits.get("memo:a:crash-step")).toBe(1);
    expect(hits.get("memo:b:crash-step")).toBe(2); // at-least-once for the step that was in flight
  });

  it("retries a failing step (StepError) until it succeeds", async () => {
    const ex = await start();
    await ex.send({ name: "t/flaky", data: { k: "1" } });
    const [run] = await waitFor(async () => {
      const r = await fnRuns("flaky", "k", "1");
      return r[0]?.status === "completed" ? r : undefined;
    }, "flaky run to complete");
    expect(run!.output).toBe("ok after 3");
    expect(hits.get("flaky:1")).toBe(3);
    expect(run!.error?.message).toBe("boom 2"); // last error kept for inspection
  });

  it("honours RetryAfterError's delay", async () => {
    const ex = await start();
    await ex.send({ name: "t/later", data: { k: "1" } });
    await waitFor(async () => (await fnRuns("later", "k", "1"))[0]?.status === "completed", "later run to complete");
    const [first, second] = times.get("later:1")!;
    expect(second! - first!).toBeGreaterThanOrEqual(1900);
  });

  it("fails on NonRetriableError without retrying and calls onFailure with the original event", async () => {
    const ex = await start();
    await ex.send({ name: "t/doomed", data: { why: "test" } });
    const [run] = await waitFor(async () => {
      const r = await runs(`"functionId" = 't-doomed'`);
      return r[0]?.status === "failed" ? r : undefined;
    }, "doomed run to fail");
    expect(hits.get("doomed")).toBe(1);
    expect(run!.error?.message).toContain("cannot ever work");
    await waitFor(() => failures.length === 1, "onFailure to run");
    expect(failures[0]).toMatchObject({ fn: "t-doomed", data: { why: "test" } });
    expect(failures[0]!.message).toContain("cannot ever work");
  });

  it("routes step.sendEvent and inngest.send to other functions", async () => {
    const ex = await start();
    await ex.send({ name: "t/parent", data: { k: "p1" } });
    await waitFor(() => [1, 2, 3].every((n) => hits.get(`child:p1:${n}`) === 1), "three child runs");
    await ex.drain();
    expect(
      (await runs(`"functionId" = 't-child'`)).filter((r) => r.event.data.k === "p1").map((r) => r.status),
    ).toEqual(["completed", "completed", "completed"]);
  });

  it("delivers inngest.send through embeddedFetch durably before resolving", async () => {
    await start();
    const { ids } = await inngest.send({ name: "t/child", data: { k: "direct", n: 1 } });
    expect(ids).toHaveLength(1);
    const rows = await runs(`"functionId" = 't-child' AND event ->> 'id' = $1`, [ids[0]]);
    expect(rows).toHaveLength(1);
    const bad = await embeddedFetch("http://inngest-embedded.invalid/e/key", {
      method: "POST",
      body: JSON.stringify([{ data: {} }]),
    });
    expect(bad.status).toBe(400);
  });

  it("dedupes events that carry an id", async () => {
    const ex = await start();
    await ex.send({ name: "t/child", id: "same-id", data: { k: "dup", n: 1 } });
    await ex.send({ name: "t/child", id: "same-id", data: { k: "dup", n: 1 } });
    await ex.drain();
    expect(hits.get("child:dup:1")).toBe(1);
  });

  it("runs parallel steps (Promise.all) and continues after them", async () => {
    const ex = await start();
    await ex.send({ name: "t/parallel", data: { k: "1" } });
    const [run] = await waitFor(async () => {
      const r = await fnRuns("parallel", "k", "1");
      return r[0]?.status === "completed" ? r : undefined;
    }, "parallel run");
    expect(run!.output).toBe(111);
    expect(["x", "y", "z"].map((s) => hits.get(`parallel:${s}:1`))).toEqual([1, 1, 1]);
  });

  it("throttles starts per key (2 per 2 s) and never drops a run", async () => {
    const ex = await start();
    await ex.send(Array.from({ length: 6 }, () => ({ name: "t/throttled", data: { key: "A" } })));
    await ex.send({ name: "t/throttled", data: { key: "B" } });
    await waitFor(() => (times.get("throttled:A")?.length ?? 0) === 6, "all six throttled runs", 20_000);
    await ex.drain();
    const rows = await runs(`"functionId" = 't-throttled'`);
    expect(rows.map((r) => r.status)).toEqual(Array(7).fill("completed"));
    // The start slots: at most 2 in any 2 s window, with no gap beyond that.
    const slots = rows
      .filter((r) => r.throttleKey === "A")
      .map((r) => r.startedMs!)
      .sort((x, y) => x - y);
    for (let i = 2; i < slots.length; i++) {
      expect(slots[i]! - slots[i - 2]!).toBeGreaterThanOrEqual(2000);
      expect(slots[i]! - slots[i - 2]!).toBeLessThan(2100);
    }
    // No run executed before its slot (2 ms: timestamp(3) rounding).
    const executed = times.get("throttled:A")!.sort((x, y) => x - y);
    executed.forEach((t, i) => expect(t).toBeGreaterThanOrEqual(slots[i]! - 2));
    // Another key is not held back by A's backlog.
    const [b] = rows.filter((r) => r.throttleKey === "B");
    expect(b!.startedMs! - slots[0]!).toBeLessThan(1000);
  });

  it("cancelOn cancels a sleeping run whose key matches, and only that one", async () => {
    const ex = await start();
    await ex.send([
      { name: "t/start", data: { id: "c1" } },
      { name: "t/start", data: { id: "c2" } },
    ]);
    await waitFor(async () => {
      const r = [...(await fnRuns("cancellable", "id", "c1")), ...(await fnRuns("cancellable", "id", "c2"))];
      return r.length === 2 && r.every((x) => x.status === "queued" && x.stack.length === 1);
    }, "both runs sleeping");
    await ex.send({ name: "t/cancel", data: { id: "c1" } });
    expect((await fnRuns("cancellable", "id", "c1"))[0]!.status).toBe("cancelled");
    expect((await fnRuns("cancellable", "id", "c2"))[0]!.status).toBe("queued");
    // A run started after the cancel event is not affected by it.
    await ex.send({ name: "t/start", data: { id: "c1" } });
    await waitFor(
      async () => (await fnRuns("cancellable", "id", "c1")).some((r) => r.status === "queued"),
      "new c1 run",
    );
  });

  it("fires a due cron slot exactly once across two executors and schedules the next", async () => {
    const a = await start({ instanceId: "cron-a" });
    const b = await start({ instanceId: "cron-b" });
    const [row] = await runs(`status = 'cron' AND "functionId" = 't-ticker'`);
    expect(row).toBeDefined();
    expect(row!.wakeMs).toBeGreaterThan(Date.now());
    expect(row!.wakeMs % 300_000).toBe(0);
    const slot = await pool().query<{ ms: number }>(
      `UPDATE "ExecutorRun" SET "wakeAt" = date_trunc('minute', now() AT TIME ZONE 'UTC') - interval '7 minutes' WHERE id = $1
       RETURNING (extract(epoch from "wakeAt") * 1000)::float8 AS ms`,
      [row!.id],
    );
    const eventId = `cron-${row!.id}-${new Date(slot.rows[0]!.ms).toISOString()}`;
    const slotRuns = () => runs(`"functionId" = 't-ticker' AND event ->> 'id' = $1`, [eventId]);
    await waitFor(async () => (await slotRuns())[0]?.status === "completed", "cron run for the forced slot", 10_000);
    await a.drain();
    await b.drain();
    await new Promise((r) => setTimeout(r, 1500)); // both instances' maintenance ran again
    const fired = await slotRuns();
    expect(fired).toHaveLength(1);
    expect(fired[0]!.event).toMatchObject({ name: "inngest/scheduled.timer", data: { cron: "*/5 * * * *" } });
    const [after] = await runs(`id = $1`, [row!.id]);
    expect(after!.wakeMs).toBeGreaterThan(Date.now());
    expect(after!.wakeMs % 300_000).toBe(0);
  });

  it("two executors on one database never run the same step twice", async () => {
    const a = await start({ instanceId: "twin-a", concurrency: 8 });
    const b = await start({ instanceId: "twin-b", concurrency: 8 });
    const n = 60;
    await Promise.all([
      a.send(Array.from({ length: n / 2 }, (_, i) => ({ name: "t/shared", data: { k: `s${i}` } }))),
      b.send(Array.from({ length: n / 2 }, (_, i) => ({ name: "t/shared", data: { k: `s${i + n / 2}` } }))),
    ]);
    await waitFor(
      async () => (await runs(`"functionId" = 't-shared' AND status = 'completed'`)).length === n,
      "all shared runs",
      30_000,
    );
    for (let i = 0; i < n; i++) {
      expect(hits.get(`shared:one:s${i}`)).toBe(1);
      expect(hits.get(`shared:two:s${i}`)).toBe(1);
    }
  });

  it("speaks the plain protocol too (no checkpointing: one call per step, planned parallel steps)", async () => {
    const ex = await start({ checkpointing: false });
    await ex.send([
      { name: "t/memo", data: { k: "plain-proto", sleep: "1s" } },
      { name: "t/parallel", data: { k: "plain-proto" } },
      { name: "t/flaky", data: { k: "plain-proto" } },
      { name: "t/parent", data: { k: "plain-proto" } },
    ]);
    await waitFor(async () => {
      const done = await runs(`event -> 'data' ->> 'k' = 'plain-proto' AND status = 'completed'`);
      return done.length === 7; // memo, parallel, flaky, parent + 3 children
    }, "all plain-protocol runs");
    expect((await fnRuns("memo", "k", "plain-proto"))[0]!.output).toEqual({ sum: 42 });
    expect((await fnRuns("parallel", "k", "plain-proto"))[0]!.output).toBe(111);
    expect(hits.get("flaky:plain-proto")).toBe(3);
    expect(["a", "b"].map((s) => hits.get(`memo:${s}:plain-proto`))).toEqual([1, 1]);
  });

  it("routes events sent while no executor is registered in the process (durable route row)", async () => {
    const ex = await start({ register: false });
    const res = await embeddedFetch("http://inngest-embedded.invalid/e/anything", {
      method: "POST",
      body: JSON.stringify([{ name: "t/child", data: { k: "routed", n: 1 } }]),
    });
    expect(res.status).toBe(200);
    const { ids } = (await res.json()) as { ids: string[] };
    expect(ids).toHaveLength(1);
    await waitFor(() => hits.get("child:routed:1") === 1, "routed child run");
    await ex.drain();
    expect(await runs(`"functionId" = '__route__'`)).toHaveLength(0);
  });

  it("routes stored events in PostgreSQL (simple names) and in JavaScript (the others) alike: same run ids, so an event id is taken once whichever path routed it", async () => {
    const ex = await start({ register: false });
    const post = (events: unknown[]) =>
      embeddedFetch("http://inngest-embedded.invalid/e/anything", { method: "POST", body: JSON.stringify(events) });
    // t/child is simple (a row of such events is routed by PostgreSQL); t/throttled has a throttle key (a row
    // with such an event is routed in JavaScript).
    expect(
      (
        await post([
          { name: "t/child", id: "evt-route-1", data: { k: "route-paths", n: 1 } },
          { name: "t/child", data: { k: "route-paths", n: 2 } },
        ])
      ).status,
    ).toBe(200);
    expect((await post([{ name: "t/throttled", id: "evt-route-2", data: { key: "route-paths" } }])).status).toBe(200);
    await waitFor(() => hits.get("child:route-paths:1") === 1 && hits.get("child:route-paths:2") === 1, "routed");
    await waitFor(() => times.get("throttled:route-paths")?.length === 1, "routed in JavaScript");
    // The same event ids again — in a row routed in JavaScript, in one routed by PostgreSQL, and through the
    // in-process intake: no new runs.
    await post([
      { name: "t/child", id: "evt-route-1", data: { k: "route-paths", n: 1 } },
      { name: "t/throttled", id: "evt-route-2", data: { key: "route-paths" } },
    ]);
    await post([{ name: "t/child", id: "evt-route-1", data: { k: "route-paths", n: 1 } }]);
    await ex.send({ name: "t/child", id: "evt-route-1", data: { k: "route-paths", n: 1 } });
    await ex.drain();
    expect(await runs(`"functionId" = '__route__'`)).toHaveLength(0);
    expect(hits.get("child:route-paths:1")).toBe(1);
    expect(times.get("throttled:route-paths")).toHaveLength(1);
    const childRuns = await runs(`"functionId" = 't-child' AND event -> 'data' ->> 'k' = 'route-paths'`);
    expect(childRuns).toHaveLength(2);
  });

  it("cancels a run that is executing a step: it stops at the next step boundary", async () => {
    const ex = await start();
    await ex.send({ name: "t/memo", data: { k: "cancel-running", sleep: "1s", slowB: 800 } });
    await waitFor(() => hits.get("memo:b:cancel-running") === 1, "step b running");
    // memo has no cancelOn: cancel through the store the way a cancelOn match would.
    await pool().query(
      `UPDATE "ExecutorRun" SET status = 'cancelled', "lockedBy" = NULL WHERE event -> 'data' ->> 'k' = 'cancel-running'`,
    );
    await new Promise((r) => setTimeout(r, 1200));
    const [run] = await fnRuns("memo", "k", "cancel-running");
    expect(run!.status).toBe("cancelled");
    expect(run!.output).toBeNull();
    await ex.drain();
  });

  it("a graceful stop lets the in-flight step finish, saves it and hands the run over", async () => {
    const a = await start({ instanceId: "leaving" });
    await a.send({ name: "t/chain", data: { k: "graceful" } });
    await waitFor(() => hits.get("chain:s1:graceful") === 1, "first step running");
    await a.stop({ timeoutMs: 5000 });
    const [mid] = await fnRuns("chain", "k", "graceful");
    expect(mid!.status).toBe("queued");
    expect(mid!.lockedBy).toBeNull();
    expect(mid!.stack).toHaveLength(1); // s1 saved, nothing lost
    await start({ instanceId: "arriving" });
    const [run] = await waitFor(async () => {
      const r = await fnRuns("chain", "k", "graceful");
      return r[0]?.status === "completed" ? r : undefined;
    }, "chain to complete");
    expect(run!.output).toBe("chained");
    expect(["s1", "s2", "s3"].map((s) => hits.get(`chain:${s}:graceful`))).toEqual([1, 1, 1]);
  });

  it("fails a run that uses a step the executor does not support, naming it", async () => {
    const ex = await start();
    await ex.send({ name: "t/waiter", data: {} });
    const [run] = await waitFor(async () => {
      const r = await runs(`"functionId" = 't-waiter'`);
      return r[0]?.status === "failed" ? r : undefined;
    }, "waiter to fail");
    expect(run!.error?.message).toContain("step.waitForEvent");
  });

  it("refuses to start when a function uses an unsupported option", async () => {
    const other = new Inngest(withEmbeddedMode({ id: "u", logger: silentLogger }));
    const bad = [
      other.createFunction(
        { id: "debounced", debounce: { period: "5s" }, triggers: [{ event: "u/x" }] },
        async () => "x",
      ),
      other.createFunction({ id: "limited", concurrency: { limit: 2 }, triggers: [{ event: "u/y" }] }, async () => "y"),
      other.createFunction(
        { id: "finished-listener", triggers: [{ event: "inngest/function.finished" }] },
        async () => "z",
      ),
    ];
    const h = serve({ client: other, functions: bad });
    const err = await startEmbeddedExecutor({ handler: h }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedFunctionOptionError);
    const msg = (err as Error).message;
    expect(msg).toContain('"debounce"');
    expect(msg).toContain('"concurrency"');
  });

  it("the served handler refuses unsigned or wrongly signed calls", async () => {
    const body = firstCallBody({ name: "t/memo", data: { k: "evil" }, id: "x", ts: Date.now() });
    const url = "http://localhost/api/inngest?fnId=t-memo&stepId=step";
    const post = (headers: Record<string, string>) =>
      handler(
        new Request(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        }) as never,
        undefined,
      );
    expect((await post({})).status).toBe(401);
    expect((await post({ "x-inngest-signature": signRequest(body, "signkey-prod-00ff") })).status).toBe(401);
    const stale = signRequest(body, embeddedSigningKey(), Date.now() - 10 * 60_000);
    expect((await post({ "x-inngest-signature": stale })).status).toBe(401);
    const sync = await handler(
      new Request("http://localhost/api/inngest", {
        method: "PUT",
        headers: { "x-inngest-sync-kind": "in_band" },
        body: JSON.stringify({ url }),
      }) as never,
      undefined,
    );
    expect(sync.status).toBe(401);
    expect(hits.get("memo:a:evil")).toBe(0);
    // The same body, signed with the embedded key, is accepted.
    const ok = await post({ "x-inngest-signature": signRequest(body, embeddedSigningKey()) });
    expect(ok.status).toBe(206);
    expect(hits.get("memo:a:evil")).toBe(1);
  });
});
