import { Inngest, NonRetriableError, RetryAfterError } from "inngest";
import { serve } from "inngest/next";
import { afterEach, describe, expect, it } from "vitest";
import { embeddedFetch, withEmbeddedMode } from "@/inngest/embedded/client";
import { type EmbeddedExecutor, type EmbeddedExecutorOptions, startEmbeddedExecutor } from "@/inngest/embedded/executor";
import { UnsupportedFunctionOptionError } from "@/inngest/embedded/protocol";
import { canonicalJson, embeddedSigningKey, signRequest } from "@/inngest/embedded/signing";
import { counter, runs, silentLogger, waitFor } from "@/inngest/embedded/testing";
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
    { id: "throttled", throttle: { limit: 2, period: "2s", key: "event.data.key" }, triggers: [{ event: "t/throttled" }] },
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
  inngest.createFunction({ id: "waiter", triggers: [{ event: "t/waiter" }] }, async ({ step }) => {
    await step.waitForEvent("wait", { event: "t/never", timeout: "1h" });
  }),
];

const handler = serve({ client: inngest, functions: fns });

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
    expect(ex.functions.map((f) => f.id)).toEqual(expect.arrayContaining(["t-memo", "t-doomed", "t-doomed-failure", "t-ticker"]));
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
    const [run] = await waitFor(async () => {
      const r = await fnRuns("memo", "k", "crash-step");
      return r[0]?.status === "completed" ? r : undefined;
    }, "run to complete after the lease expired", 20_000);
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
    expect((await runs(`"functionId" = 't-child'`)).filter((r) => r.event.data.k === "p1").map((r) => r.status)).toEqual([
      "completed",
      "completed",
      "completed",
    ]);
  });

  it("delivers inngest.send through embeddedFetch durably before resolving", async () => {
    await start();
    const { ids } = await inngest.send({ name: "t/child", data: { k: "direct", n: 1 } });
    expect(ids).toHaveLength(1);
    const rows = await runs(`"functionId" = 't-child' AND event ->> 'id' = $1`, [ids[0]]);
    expect(rows).toHaveLength(1);
    const bad = await embeddedFetch("http://inngest-embedded.invalid/e/key", { method: "POST", body: JSON.stringify([{ data: {} }]) });
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
    const a = times.get("throttled:A")!.sort((x, y) => x - y);
    for (let i = 2; i < a.length; i++) expect(a[i]! - a[i - 2]!).toBeGreaterThanOrEqual(1950);
    expect(a[5]! - a[0]!).toBeLessThan(6000);
    expect(times.get("throttled:B")).toHaveLength(1); // another key is not held back
    expect(times.get("throttled:B")![0]! - a[0]!).toBeLessThan(1000);
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
    await waitFor(async () => (await fnRuns("cancellable", "id", "c1")).some((r) => r.status === "queued"), "new c1 run");
  });

  it("fires a due cron slot exactly once across two executors and schedules the next", async () => {
    const a = await start({ instanceId: "cron-a" });
    const b = await start({ instanceId: "cron-b" });
    const [row] = await runs(`status = 'cron' AND "functionId" = 't-ticker'`);
    expect(row).toBeDefined();
    expect(row!.wakeMs).toBeGreaterThan(Date.now());
    expect(row!.wakeMs % 300_000).toBe(0);
    await pool().query(`UPDATE "ExecutorRun" SET "wakeAt" = (now() AT TIME ZONE 'UTC') - interval '1 minute' WHERE id = $1`, [row!.id]);
    await waitFor(() => hits.get("tick:*/5 * * * *") >= 1, "cron run", 10_000);
    await a.drain();
    await b.drain();
    await new Promise((r) => setTimeout(r, 1500)); // both instances' maintenance ran again
    expect(hits.get("tick:*/5 * * * *")).toBe(1);
    const [after] = await runs(`id = $1`, [row!.id]);
    expect(after!.wakeMs).toBeGreaterThan(Date.now());
  });

  it("two executors on one database never run the same step twice", async () => {
    const a = await start({ instanceId: "twin-a", concurrency: 8 });
    const b = await start({ instanceId: "twin-b", concurrency: 8 });
    const n = 60;
    await Promise.all([
      a.send(Array.from({ length: n / 2 }, (_, i) => ({ name: "t/shared", data: { k: `s${i}` } }))),
      b.send(Array.from({ length: n / 2 }, (_, i) => ({ name: "t/shared", data: { k: `s${i + n / 2}` } }))),
    ]);
    await waitFor(async () => (await runs(`"functionId" = 't-shared' AND status = 'completed'`)).length === n, "all shared runs", 30_000);
    for (let i = 0; i < n; i++) {
      expect(hits.get(`shared:one:s${i}`)).toBe(1);
      expect(hits.get(`shared:two:s${i}`)).toBe(1);
    }
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
      other.createFunction({ id: "debounced", debounce: { period: "5s" }, triggers: [{ event: "u/x" }] }, async () => "x"),
      other.createFunction({ id: "limited", concurrency: { limit: 2 }, triggers: [{ event: "u/y" }] }, async () => "y"),
      other.createFunction({ id: "finished-listener", triggers: [{ event: "inngest/function.finished" }] }, async () => "z"),
    ];
    const h = serve({ client: other, functions: bad });
    const err = await startEmbeddedExecutor({ handler: h }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedFunctionOptionError);
    const msg = (err as Error).message;
    expect(msg).toContain('"debounce"');
    expect(msg).toContain('"concurrency"');
  });

  it("the served handler refuses unsigned or wrongly signed calls", async () => {
    const body = canonicalJson({
      event: { name: "t/memo", data: { k: "evil" }, id: "x", ts: Date.now() },
      events: [],
      steps: {},
      ctx: { run_id: "run_evil", attempt: 0, max_attempts: 1, disable_immediate_execution: false, use_api: false, stack: { stack: [], current: 0 } },
      version: 2,
    });
    const url = "http://localhost/api/inngest?fnId=t-memo&stepId=step";
    const post = (headers: Record<string, string>) =>
      handler(new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }) as never, undefined);
    expect((await post({})).status).toBe(401);
    expect((await post({ "x-inngest-signature": signRequest(body, "signkey-prod-00ff") })).status).toBe(401);
    const stale = signRequest(body, embeddedSigningKey(), Date.now() - 10 * 60_000);
    expect((await post({ "x-inngest-signature": stale })).status).toBe(401);
    const sync = await handler(new Request("http://localhost/api/inngest", { method: "PUT", headers: { "x-inngest-sync-kind": "in_band" }, body: JSON.stringify({ url }) }) as never, undefined);
    expect(sync.status).toBe(401);
    expect(hits.get("memo:a:evil")).toBe(0);
    // The same body, signed with the embedded key, is accepted.
    const ok = await post({ "x-inngest-signature": signRequest(body, embeddedSigningKey()) });
    expect(ok.status).toBe(206);
    expect(hits.get("memo:a:evil")).toBe(1);
  });
});
