import { startEmbeddedExecutor, type EmbeddedExecutor } from "@/inngest/embedded/executor";
import { inProcessInngestHandler } from "@/inngest/serve";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { executorWorkerStatus, setInProcessExecutorState as setState } from "@/lib/process-status";

/**
 * Where the embedded executor runs (when no Inngest server is configured):
 *
 * - Under the launcher (`npm run dev` / `npm start`, scripts/launch.ts): in its
 *   own worker process (runExecutorWorker, scripts/executor-worker.ts), so that
 *   deliveries never share the API's event loop and use the second core. The
 *   Next.js server then starts nothing here; its `inngest.send` stores the
 *   events for the worker (inngest/embedded/client.ts, storeForLater).
 * - Under a plain `next start` (no launcher): in the Next.js process, from
 *   instrumentation.ts (ensureEmbeddedExecutor).
 */

const KEY = Symbol.for("akol-webhooks.embedded-executor");
type Holder = { [KEY]?: Promise<EmbeddedExecutor | null> };

/** The launcher runs the executor in a worker process: the Next.js server must not start another. */
export function executorRunsInWorker(): boolean {
  return executorWorkerStatus() !== undefined;
}

/**
 * Starts the embedded executor for this process when no Inngest server is
 * configured. Idempotent. With `signals` (the default), SIGTERM / SIGINT stop
 * it gracefully (the process's owner exits).
 */
export function ensureEmbeddedExecutor(
  opts: { pollIntervalMs?: number; leaseMs?: number; signals?: boolean } = {},
): Promise<EmbeddedExecutor | null> {
  const g = globalThis as Holder;
  g[KEY] ??= (async () => {
    if (!env().embeddedExecutor) return null;
    if (process.env.NEXT_RUNTIME === "nodejs") plainProcessEnv();
    setState({ status: "starting" });
    try {
      const executor = await startEmbeddedExecutor({
        handler: inProcessInngestHandler,
        serveUrl: `http://localhost:${env().PORT}/api/inngest`,
        pollIntervalMs: opts.pollIntervalMs ?? 500,
        leaseMs: opts.leaseMs,
      });
      setState({ status: "running" });
      if (opts.signals !== false) {
        const stop = () => void stopExecutor(executor, 10_000);
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      }
      return executor;
    } catch (err) {
      setState({ status: "failed", error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  })();
  return g[KEY];
}

function stopExecutor(executor: EmbeddedExecutor, timeoutMs: number): Promise<void> {
  setState({ status: "stopped" });
  return executor.stop({ timeoutMs });
}

/**
 * The executor worker process (scripts/executor-worker.ts), a child of the
 * launcher with an IPC channel: waits for `start` (with the variables the
 * launcher learnt after forking it), reports `ready`, then a heartbeat every second
 * (a stuck event loop shows as a stale heartbeat in /api/health). It stops —
 * in-flight calls finish or are released — and exits when the launcher asks
 * (`stop`), on SIGTERM / SIGINT / SIGHUP, or as soon as the channel closes
 * (the launcher died, even by SIGKILL: nothing is left running).
 */
export async function runExecutorWorker(opts: { pollIntervalMs?: number } = {}): Promise<void> {
  const send = (m: { type: "ready" | "heartbeat" | "failed"; error?: string }) => {
    if (process.connected) process.send?.(m);
  };
  let executor: EmbeddedExecutor | null = null;
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    const force = setTimeout(() => process.exit(code), 8_000);
    force.unref();
    try {
      if (executor) await stopExecutor(executor, 5_000);
      const { disconnectDb } = await import("@/lib/db");
      await disconnectDb();
    } catch (err) {
      log.error("executor worker: unclean stop", { err });
    }
    process.exit(code);
  };
  process.on("disconnect", () => void exit(0));
  process.on("message", (m: { type?: string }) => {
    if (m?.type === "stop") void exit(0);
  });
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => void exit(0));
  if (!process.connected) {
    process.stderr.write("the executor worker is started by scripts/launch.ts (it needs an IPC channel)\n");
    process.exit(2);
  }
  // Forked early, to load its modules while the launcher provides the database: it sends the rest of the
  // configuration (DATABASE_URL) when it has it. Nothing reads env() before this (never at import).
  const config = await new Promise<Record<string, string>>((resolve) => {
    const onMessage = (m: { type?: string; env?: Record<string, string> }) => {
      if (m?.type !== "start") return;
      process.off("message", onMessage);
      resolve(m.env ?? {});
    };
    process.on("message", onMessage);
  });
  if (exiting) return;
  Object.assign(process.env, config);
  plainProcessEnv();
  try {
    executor = await ensureEmbeddedExecutor({ pollIntervalMs: opts.pollIntervalMs, signals: false });
  } catch (err) {
    send({ type: "failed", error: err instanceof Error ? err.message : String(err) });
    log.error("executor worker could not start the embedded executor", { err });
    await exit(1);
    return;
  }
  if (exiting) return;
  send({ type: "ready" });
  setInterval(() => send({ type: "heartbeat" }), 1_000);
}

/**
 * Performance: the Inngest SDK copies the variables
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
export function plainProcessEnv(): void {
  if (Object.getPrototypeOf(process.env) === Object.prototype) return; // already an ordinary object
  process.env = { ...process.env };
}
