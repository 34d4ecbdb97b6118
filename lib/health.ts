import { pool } from "@/lib/db";
import { env } from "@/lib/env";
import { HEARTBEAT_STALE_MS, executorWorkerStatus, inProcessExecutorState } from "@/lib/process-status";

/**
 * Readiness (GET /api/health): can this instance serve the API and run
 * deliveries now? The database answers a query, and — in embedded mode — the
 * executor of this instance runs (in the launcher's worker process, or
 * in-process under a plain `next start`). Liveness (GET /api/health/live)
 * checks nothing but the process answering.
 */

export type Check = { ok: boolean; detail: string };
export type Readiness = { ok: boolean; checks: { database: Check; executor: Check } };

const DB_TIMEOUT_MS = 2_000;

async function database(): Promise<Check> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool().query("select 1"),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, detail: `answered in ${Date.now() - started} ms` };
  } catch (err) {
    return { ok: false, detail: `database unreachable: ${err instanceof Error ? err.message : String(err)}` };
  } finally {
    clearTimeout(timer);
  }
}

function executor(): Check {
  if (!env().embeddedExecutor) return { ok: true, detail: "functions run on the configured Inngest server" };
  const worker = executorWorkerStatus();
  if (worker) {
    if (worker.state === "down") return { ok: false, detail: `executor worker is down: ${worker.detail ?? "exited"}` };
    if (worker.state === "starting") return { ok: false, detail: "executor worker is starting" };
    const age = Date.now() - worker.lastHeartbeat;
    if (age > HEARTBEAT_STALE_MS)
      return {
        ok: false,
        detail: `executor worker (pid ${worker.pid}) has not answered for ${Math.round(age / 1000)} s`,
      };
    return { ok: true, detail: `running in worker process ${worker.pid}` };
  }
  const state = inProcessExecutorState();
  if (state.status === "running") return { ok: true, detail: "running in-process" };
  return { ok: false, detail: `executor ${state.status}${state.error ? `: ${state.error}` : ""}` };
}

export async function readiness(): Promise<Readiness> {
  const checks = { database: await database(), executor: executor() };
  return { ok: checks.database.ok && checks.executor.ok, checks };
}
