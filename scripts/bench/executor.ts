import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Inngest } from "inngest";
import { serve } from "inngest/next";

/**
 * Throughput of the embedded executor with delivery-shaped functions, end to
 * end (send → every run completed):
 *   one-step  a throttled (per webhook) function with one step.run
 *   two-step  a function with two step.run
 *
 *   npx tsx --conditions=react-server scripts/bench/executor.ts [runs=3000] [concurrency=64]
 *
 * Uses DATABASE_URL, or a throwaway embedded PostgreSQL (migrated) when unset.
 */
export async function runBench(opts: {
  n: number;
  concurrency: number;
  log: (line: string) => void;
}): Promise<Record<string, number>> {
  const [{ withEmbeddedMode }, { startEmbeddedExecutor }, { silentLogger, waitFor }, { pool }] = await Promise.all([
    import("@/inngest/embedded/client"),
    import("@/inngest/embedded/executor"),
    import("@/test/support/executor"),
    import("@/lib/db"),
  ]);
  const inngest = new Inngest(withEmbeddedMode({ id: "bench", logger: silentLogger }));
  let work = 0;
  const fns = [
    inngest.createFunction(
      {
        id: "one-step",
        throttle: { limit: 1000, period: "1s", key: "event.data.webhook" },
        triggers: [{ event: "b/one" }],
      },
      async ({ event, step }) => {
        await step.run("attempt-1", () => {
          work++;
          return { status: 200, id: event.data.i as number };
        });
      },
    ),
    inngest.createFunction({ id: "two-step", triggers: [{ event: "b/two" }] }, async ({ event, step }) => {
      const a = await step.run("load", () => ({ url: `https://example.com/${String(event.data.i)}` }));
      await step.run("attempt-1", () => {
        work++;
        return { status: 200, url: a.url };
      });
    }),
  ];
  const handler = serve({ client: inngest, functions: fns });
  const ex = await startEmbeddedExecutor({ handler, concurrency: opts.concurrency });
  const out: Record<string, number> = {};
  try {
    for (const shape of ["one", "two"] as const) {
      const fn = shape === "one" ? "bench-one-step" : "bench-two-step";
      work = 0;
      const t0 = Date.now();
      const cpu0 = process.cpuUsage();
      const sends: Array<Promise<unknown>> = [];
      for (let i = 0; i < opts.n; i += 100) {
        const events = Array.from({ length: Math.min(100, opts.n - i) }, (_, j) => ({
          name: `b/${shape}`,
          data: { i: i + j, webhook: `w${(i + j) % 20}` },
        }));
        sends.push(ex.send(events));
      }
      await Promise.all(sends);
      const tSent = Date.now();
      await waitFor(
        async () => {
          const r = await pool().query<{ n: number }>(
            `SELECT count(*)::int AS n FROM "ExecutorRun" WHERE "functionId" = $1 AND status = 'completed'`,
            [fn],
          );
          return r.rows[0]!.n === opts.n;
        },
        `${opts.n} ${shape}-step runs`,
        300_000,
      );
      const ms = Date.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuPerRun = (cpu.user + cpu.system) / 1000 / opts.n;
      if (work !== opts.n) throw new Error(`${shape}-step: ${work} step executions for ${opts.n} runs`);
      out[shape] = Math.round((opts.n / ms) * 1000);
      opts.log(
        `${shape}-step: ${opts.n} runs in ${ms} ms (send ${tSent - t0} ms) = ${out[shape]} runs/s; ` +
          `executor process CPU ${cpuPerRun.toFixed(2)} ms/run (≈ ${Math.round(1000 / cpuPerRun)} runs/s per core)`,
      );
    }
  } finally {
    await ex.stop();
  }
  return out;
}

async function main() {
  const n = Number(process.argv[2] ?? 3000);
  const concurrency = Number(process.argv[3] ?? 64);
  let stopDb: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!process.env.DATABASE_URL) {
    const [{ startEmbeddedPostgres }, { migrate }, { freePort }] = await Promise.all([
      import("@/lib/db/embedded"),
      import("@/lib/db/migrate"),
      import("@/test/support/global-setup"),
    ]);
    dir = mkdtempSync(path.join("/var/tmp", "akol-bench-"));
    const db = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
    stopDb = db.stop;
    await migrate(db.url);
    process.env.DATABASE_URL = db.url;
  }
  process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
  process.env.SECRETS_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
  process.env.LOG_LEVEL ??= "warn";
  try {
    await runBench({ n, concurrency, log: (l) => console.log(l) });
  } finally {
    const { disconnectDb } = await import("@/lib/db");
    await disconnectDb();
    await stopDb?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
