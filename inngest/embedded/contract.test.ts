import { Inngest, NonRetriableError, RetryAfterError } from "inngest";
import { serve } from "inngest/next";
import { afterEach, describe, expect, it } from "vitest";
import { withEmbeddedMode } from "@/inngest/embedded/client";
import { type EmbeddedExecutor, startEmbeddedExecutor } from "@/inngest/embedded/executor";
import { captureOutput } from "@/test/support/capture";
import { counter, runs, waitFor } from "@/test/support/executor";
import { argsLogger } from "@/lib/log";

/**
 * The executor's contract (inngest/embedded/README.md "Semantics"): each rule
 * there, run through the executor with real functions, real PostgreSQL and
 * the SDK's own serve() handler. The same functions behave the same on an
 * Inngest server.
 */

const inngest = new Inngest(
  withEmbeddedMode({ id: "c", logger: argsLogger("inngest"), internalLogger: argsLogger("inngest") }),
);
const hits = counter();
const times = new Map<string, number[]>();
const stamp = (k: string) => times.set(k, [...(times.get(k) ?? []), Date.now()]);
const failures: Array<{ fn: string; message: string; data: unknown; afterCalls: number }> = [];
const backoffs: number[] = [];

const onFailure = async ({
  error,
  event,
}: {
  error: Error;
  event: { data: { function_id: string; event: { data: Record<string, unknown> } } };
}) => {
  const k = String(event.data.event.data.k);
  failures.push({
    fn: event.data.function_id,
    message: error.message,
    data: event.data.event.data,
    afterCalls: hits.get(`always:${k}`) + hits.get(`nul:${k}`),
  });
};

const fns = [
  inngest.createFunction(
    { id: "always-throws", retries: 2, triggers: [{ event: "c/always" }], onFailure },
    async ({ event, step }) => {
      const k = String(event.data.k);
      await step.run("throws", () => {
        stamp(`always:${k}`);
        throw new Error(`boom ${hits.bump(`always:${k}`)}`);
      });
      hits.bump(`always:after:${k}`);
    },
  ),
  inngest.createFunction(
    { id: "non-retriable", retries: 4, triggers: [{ event: "c/nonretriable" }], onFailure },
    async ({ event, step }) => {
      await step.run("refuses", () => {
        hits.bump(`nonretriable:${String(event.data.k)}`);
        throw new NonRetriableError("never works");
      });
    },
  ),
  inngest.createFunction(
    { id: "retry-after", retries: 1, triggers: [{ event: "c/later" }] },
    async ({ event, step }) => {
      const k = String(event.data.k);
      return step.run("later", () => {
        stamp(`later:${k}`);
        if (hits.bump(`later:${k}`) === 1) throw new RetryAfterError("not yet", "3s");
        return "done";
      });
    },
  ),
  inngest.createFunction(
    // Its error message carries a NUL byte, which jsonb cannot store: the run must still end.
    { id: "nul-error", retries: 2, triggers: [{ event: "c/nul" }], onFailure },
    async ({ event, step }) => {
      const k = String(event.data.k);
      await step.run("nul", () => {
        throw new Error(`bad\u0000byte ${hits.bump(`nul:${k}`)}`);
      });
    },
  ),
  inngest.createFunction({ id: "nul-output", triggers: [{ event: "c/nul-output" }] }, async ({ event, step }) => {
    const k = String(event.data.k);
    const out = await step.run("nul-output", () => {
      hits.bump(`nul-output:${k}`);
      return { body: "a\u0000b\ud800c" };
    });
    return out;
  }),
  inngest.createFunction({ id: "slow", retries: 1, triggers: [{ event: "c/slow" }] }, async ({ event, step }) => {
    await step.run("slow", async () => {
      hits.bump(`slow:${String(event.data.k)}`);
      await new Promise((r) => setTimeout(r, 60_000));
    });
  }),
  inngest.createFunction(
    { id: "batched", retries: 1, triggers: [{ event: "c/batched" }], batchEvents: { maxSize: 3, timeout: "2s" } },
    async ({ event, events, step }) => {
      const ks = events.map((e) => String(e.data.k));
      await step.run("take", async () => {
        const at = Date.now();
        // A `slow` event keeps its run in flight for 3 s.
        if (events.some((e) => e.data.slow === true)) await new Promise((r) => setTimeout(r, 3000));
        batches.push({ first: String(event.data.k), ks, at, end: Date.now() });
        return ks.length;
      });
    },
  ),
];
const batches: Array<{ first: string; ks: string[]; at: number; end: number }> = [];

const handler = serve({ client: inngest, functions: fns });

const started: EmbeddedExecutor[] = [];
async function start(opts: { instanceId?: string; leaseMs?: number } = {}): Promise<EmbeddedExecutor> {
  const ex = await startEmbeddedExecutor({
    handler,
    serveUrl: "http://localhost/api/inngest",
    pollIntervalMs: 100,
    leaseMs: opts.leaseMs ?? 2000,
    retryBackoffMs: (attempt) => {
      backoffs.push(attempt);
      return 400;
    },
    ...(opts.instanceId ? { instanceId: opts.instanceId } : {}),
  });
  started.push(ex);
  return ex;
}

afterEach(async () => {
  for (const ex of started.splice(0)) await ex.stop({ timeoutMs: 2000, abandon: true });
});

const fnRun = async (fn: string, k: string) =>
  (await runs(`"functionId" = $1 AND event -> 'data' ->> 'k' = $2`, [`c-${fn}`, k]))[0];
const finished = (fn: string, k: string) => async () => {
  const r = await fnRun(fn, k);
  return r && ["completed", "failed", "cancelled"].includes(r.status) ? r : undefined;
};

describe("executor contract", () => {
  it("a throwing step is retried with back-off up to `retries`, then fails the run; onFailure runs after the last retry with the error", async () => {
    const out = captureOutput();
    try {
      const ex = await start();
      backoffs.length = 0;
      await ex.send({ name: "c/always", data: { k: "1" } });
      const run = await waitFor(finished("always-throws", "1"), "the run to fail");
      expect(run.status).toBe("failed");
      expect(hits.get("always:1")).toBe(3); // retries: 2 → 3 attempts, no more
      expect(hits.get("always:after:1")).toBe(0);
      expect(run.error?.message).toContain("boom 3");
      expect(backoffs).toEqual([1, 2]); // one back-off before each retry
      const [t1, t2, t3] = times.get("always:1")!;
      expect(t2! - t1!).toBeGreaterThanOrEqual(380);
      expect(t3! - t2!).toBeGreaterThanOrEqual(380);
      await waitFor(() => failures.find((f) => f.fn === "c-always-throws"), "onFailure to run");
      const f = failures.find((x) => x.fn === "c-always-throws")!;
      expect(f.message).toContain("boom 3");
      expect(f.data).toEqual({ k: "1" });
      expect(f.afterCalls).toBe(3);
      await ex.drain();
      expect(hits.get("always:1")).toBe(3);
    } finally {
      out.restore();
    }
    // Every error the SDK or the step raised went through lib/log.ts: JSON lines only, no raw stack output.
    const lines = out.text().split("\n").filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });

  it("NonRetriableError fails the run at once, and onFailure still runs", async () => {
    const ex = await start();
    await ex.send({ name: "c/nonretriable", data: { k: "1" } });
    const run = await waitFor(finished("non-retriable", "1"), "the run to fail");
    expect(run.status).toBe("failed");
    expect(hits.get("nonretriable:1")).toBe(1);
    await waitFor(() => failures.find((f) => f.fn === "c-non-retriable"), "onFailure to run");
    expect(failures.find((f) => f.fn === "c-non-retriable")!.message).toContain("never works");
    await ex.drain();
    expect(hits.get("nonretriable:1")).toBe(1);
  });

  it("RetryAfterError sets the time of the next attempt", async () => {
    const ex = await start();
    await ex.send({ name: "c/later", data: { k: "1" } });
    const run = await waitFor(finished("retry-after", "1"), "the run to complete", 20_000);
    expect(run.status).toBe("completed");
    const [first, second] = times.get("later:1")!;
    expect(second! - first!).toBeGreaterThanOrEqual(2900); // 3 s, not the 400 ms back-off
    expect(hits.get("later:1")).toBe(2);
  });

  it("a step error that the database cannot store still consumes an attempt: bounded, then failed", async () => {
    const ex = await start();
    await ex.send({ name: "c/nul", data: { k: "1" } });
    const run = await waitFor(finished("nul-error", "1"), "the run to fail", 30_000);
    expect(run.status).toBe("failed");
    expect(hits.get("nul:1")).toBe(3);
    expect(run.error?.message).toBe("bad\uFFFDbyte 3");
    await waitFor(() => failures.find((f) => f.fn === "c-nul-error"), "onFailure to run");
    await ex.drain();
    expect(hits.get("nul:1")).toBe(3);
  });

  it("a step output the database cannot store is saved with U+FFFD in place of the bad characters", async () => {
    const ex = await start();
    await ex.send({ name: "c/nul-output", data: { k: "1" } });
    const run = await waitFor(finished("nul-output", "1"), "the run to complete");
    expect(run.status).toBe("completed");
    expect(run.output).toEqual({ body: "a\uFFFDb\uFFFDc" });
    expect(hits.get("nul-output:1")).toBe(1);
  });

  it("a call lost with its executor consumes an attempt: a step that kills its executor every time ends failed", async () => {
    // Each executor dies (abandon) while the step is in flight; the next one reclaims the run when the lease ends.
    let instance = 0;
    const first = await start({ instanceId: `lost-${instance++}`, leaseMs: 1000 });
    await first.send({ name: "c/slow", data: { k: "1" } });
    for (let calls = 1; calls <= 2; calls++) {
      await waitFor(() => hits.get("slow:1") === calls, `call ${calls} to start`, 20_000);
      await started.pop()!.stop({ abandon: true });
      await start({ instanceId: `lost-${instance++}`, leaseMs: 1000 });
    }
    const run = await waitFor(finished("slow", "1"), "the run to fail", 20_000);
    expect(run.status).toBe("failed");
    expect(run.error?.message).toContain("attempted 2 times");
    expect(hits.get("slow:1")).toBe(2); // retries: 1 → two calls, both lost; never a third
  });

  it("batchEvents: a full batch starts at once; a partial one waits while a run is in flight, until its first event's timeout; `events` in arrival order, `event` the first", async () => {
    const ex = await start();
    const of = (p: string) => batches.filter((b) => b.ks[0]?.startsWith(p)).sort((x, y) => x.at - y.at);
    const t0 = Date.now();
    await ex.send(["a1", "a2", "a3", "a4"].map((k) => ({ name: "c/batched", data: { k, slow: true } })));
    await waitFor(() => of("a").length === 2, "both batches", 20_000);
    const [full, partial] = of("a");
    expect(full).toMatchObject({ first: "a1", ks: ["a1", "a2", "a3"] });
    expect(full!.at - t0).toBeLessThan(1500); // full: it did not wait for the 2 s timeout
    expect(partial).toMatchObject({ first: "a4", ks: ["a4"] });
    expect(partial!.at - t0).toBeGreaterThanOrEqual(1900); // a run was in flight: a4 waited for its timeout…
    expect(partial!.at).toBeLessThan(full!.end); // …and no longer (the first run was still in flight)
    await ex.drain();
    // Idle (no run of the function queued or running): a lone event does not wait for the timeout.
    const t1 = Date.now();
    await ex.send({ name: "c/batched", data: { k: "i1" } });
    await waitFor(() => of("i").length === 1, "the idle batch", 20_000);
    expect(of("i")[0]).toMatchObject({ ks: ["i1"] });
    expect(of("i")[0]!.at - t1).toBeLessThan(1500);
    expect(of("a")).toHaveLength(2);
  });

  it("batchEvents is durable: events waiting for their batch survive a crash, each is delivered once, and a repeated event id is dropped", async () => {
    const first = await start({ instanceId: "batch-0" });
    // A run in flight (3 s) makes the next events wait for their batch.
    await first.send(["s1", "s2", "s3"].map((k) => ({ name: "c/batched", data: { k, slow: true } })));
    await first.send([
      { name: "c/batched", id: "evt-b1", data: { k: "b1" } },
      { name: "c/batched", id: "evt-b2", data: { k: "b2" } },
    ]);
    // The executor dies before the batch's timeout: the two events are only rows in PostgreSQL.
    await started.pop()!.stop({ abandon: true });
    expect(batches.some((b) => b.ks.includes("b1"))).toBe(false);
    const waiting = await runs(`"functionId" = 'c-batched' AND status = 'batch'`);
    expect(waiting.map((r) => String(r.event.data.k)).sort()).toEqual(["b1", "b2"]);
    const second = await start({ instanceId: "batch-1" });
    await second.send({ name: "c/batched", id: "evt-b1", data: { k: "b1" } }); // same id: dropped
    await waitFor(() => batches.find((b) => b.ks.includes("b1")), "the batch after the crash", 20_000);
    await second.drain({ timeoutMs: 60_000 });
    const withB = batches.filter((b) => b.ks.some((k) => k.startsWith("b")));
    expect(withB).toHaveLength(1);
    expect(withB[0]!.ks).toEqual(["b1", "b2"]);
  });
});
