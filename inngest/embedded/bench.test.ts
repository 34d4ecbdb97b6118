import { expect, it } from "vitest";
import { runBench } from "@/inngest/embedded/bench";

/**
 * Opt-in throughput run inside the test harness (vitest wraps process.env,
 * which the SDK reads on every request, so numbers here are lower than with
 * `npx tsx inngest/embedded/bench.ts`):
 *   EMBEDDED_BENCH=1 npx vitest run inngest/embedded/bench
 */
it.skipIf(!process.env.EMBEDDED_BENCH)(
  "embedded executor throughput",
  async () => {
    const res = await runBench({ n: Number(process.env.EMBEDDED_BENCH_N ?? 3000), concurrency: 64, log: (l) => console.log(l) });
    expect(res.one).toBeGreaterThan(0);
  },
  600_000,
);
