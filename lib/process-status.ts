/**
 * What the launcher (scripts/launch.ts) tells the Next.js server running in
 * its process about the executor worker it supervises: kept on globalThis so
 * that Next's separately bundled modules (instrumentation, the health route)
 * and the launcher's own modules see the same object. Absent when Next.js runs
 * without the launcher (e.g. `next start`): the executor then runs in-process.
 */

export type ExecutorWorkerStatus = {
  /** starting: spawned, not ready yet; running: ready and heartbeating; down: exited (a restart is scheduled). */
  state: "starting" | "running" | "down";
  pid?: number;
  /** Epoch ms of the worker's last heartbeat (sent every second while its event loop runs). */
  lastHeartbeat: number;
  /** Why it is down (exit code, start-up error). */
  detail?: string;
};

const KEY = Symbol.for("akol-webhooks.executor-worker");
type Holder = { [KEY]?: ExecutorWorkerStatus };

/** The worker's status, when the executor runs in a worker of the launcher. */
export function executorWorkerStatus(): ExecutorWorkerStatus | undefined {
  return (globalThis as Holder)[KEY];
}

/** Launcher only: declare (and update) that the executor runs in a worker process. */
export function setExecutorWorkerStatus(status: ExecutorWorkerStatus): void {
  (globalThis as Holder)[KEY] = status;
}

/** A heartbeat older than this means the worker's event loop is stuck. */
export const HEARTBEAT_STALE_MS = 10_000;

/** The embedded executor running inside this process (a plain `next start`, or the worker itself). */
export type InProcessExecutorState = {
  status: "not started" | "starting" | "running" | "failed" | "stopped";
  error?: string;
};

const STATE = Symbol.for("akol-webhooks.embedded-executor-state");
type StateHolder = { [STATE]?: InProcessExecutorState };

/** State of this process's embedded executor (for the readiness check). */
export function inProcessExecutorState(): InProcessExecutorState {
  return (globalThis as StateHolder)[STATE] ?? { status: "not started" };
}

/** inngest/embedded/start.ts only: record the in-process executor's state. */
export function setInProcessExecutorState(state: InProcessExecutorState): void {
  (globalThis as StateHolder)[STATE] = state;
}
