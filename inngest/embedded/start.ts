import { startEmbeddedExecutor, type EmbeddedExecutor } from "@/inngest/embedded/executor";
import { inngestHandler } from "@/inngest/serve";
import { env } from "@/lib/env";

/**
 * Starts the embedded executor for this process when no Inngest server is
 * configured (called from instrumentation.ts at server start). Idempotent.
 */

const KEY = Symbol.for("akol-webhooks.embedded-executor");
type Holder = { [KEY]?: Promise<EmbeddedExecutor | null> };

export function ensureEmbeddedExecutor(opts: { pollIntervalMs?: number; leaseMs?: number } = {}): Promise<EmbeddedExecutor | null> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    if (!env().embeddedExecutor) return null;
    const executor = await startEmbeddedExecutor({
      handler: inngestHandler,
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
