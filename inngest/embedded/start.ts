import { startEmbeddedExecutor, type EmbeddedExecutor } from "@/inngest/embedded/executor";
import { inProcessInngestHandler } from "@/inngest/serve";
import { env } from "@/lib/env";

/**
 * Starts the embedded executor for this process when no Inngest server is
 * configured (called from instrumentation.ts at server start). Idempotent.
 */

const KEY = Symbol.for("akol-webhooks.embedded-executor");
type Holder = { [KEY]?: Promise<EmbeddedExecutor | null> };

export function ensureEmbeddedExecutor(
  opts: { pollIntervalMs?: number; leaseMs?: number } = {},
): Promise<EmbeddedExecutor | null> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    if (!env().embeddedExecutor) return null;
    if (process.env.NEXT_RUNTIME === "nodejs") plainProcessEnv();
    const executor = await startEmbeddedExecutor({
      handler: inProcessInngestHandler,
      serveUrl: `http://localhost:${env().PORT}/api/inngest`,
      pollIntervalMs: opts.pollIntervalMs ?? 500,
      leaseMs: opts.leaseMs,
    });
    const stop = () => void executor.stop({ timeoutMs: 10_000 });
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    return executor;
  })();
  return g[KEY];
}

/**
 * Performance (the Next.js server only): the Inngest SDK copies the variables
 * it knows out of `process.env` several times per call (`getProcessEnv()`:
 * `Object.entries(process.env)`), and every read of Node's `process.env`
 * object goes through a native getenv, ~0.6 µs per variable and read. With
 * the embedded executor each delivery is a few in-process calls, which made
 * this ~9 % of the server's CPU under load (scripts/bench, delivery profile).
 * An ordinary object with the same variables reads the same and costs ~1/20.
 * Differences: assignments are no longer coerced to strings and no longer
 * reach the OS environment of the process (child processes still inherit
 * `process.env`, which spawn() passes explicitly). Nothing here assigns env
 * at run time.
 */
function plainProcessEnv(): void {
  if (Object.getPrototypeOf(process.env) === Object.prototype) return; // already an ordinary object
  process.env = { ...process.env };
}
