/**
 * `npm run dev` / `npm start`: the app's one supervising process.
 *
 * Process model (README, "Processes"):
 *   launcher (this process): binds PORT first, provides the database (embedded
 *   PostgreSQL when DATABASE_URL is unset, migrations applied), then serves
 *   Next.js in this very process (Next's programmatic API);
 *   ├─ embedded PostgreSQL (its own processes, stopped on exit; an orphan left
 *   │  by a SIGKILL is reused or stopped by the next start)
 *   └─ executor worker (scripts/executor-worker.mjs → .ts, embedded mode only): runs
 *      the deliveries on its own event loop and core; restarted if it dies;
 *      exits by itself when this process goes (its IPC channel closes).
 * SIGINT / SIGTERM / SIGHUP, or the parent (npm, a shell) going away, stop
 * everything within seconds. A SIGKILL of this process takes Next.js with it
 * and the worker follows.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, watch } from "node:fs";
import http from "node:http";
import path from "node:path";
import { provideDatabase } from "@/lib/db/local";
import { ConfigError, parseEnv } from "@/lib/env";
import { setExecutorWorkerStatus, type ExecutorWorkerStatus } from "@/lib/process-status";
import { HEAP_FLAGS, START_ENV } from "./v8-flags.mjs";

const mode = process.argv[2] === "start" ? "start" : "dev";
const say = (m: string) => process.stdout.write(`[akol] ${m}\n`);
const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const began = Date.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A start-up problem the user fixes: one line, no stack trace, exit code 1. */
class StartError extends Error {}

type Stoppable = { stop: () => Promise<void> };
/**
 * Stopped in reverse order of start, except `first` ones (the HTTP server stops taking requests first)
 * and `last` ones (the database, which the others use while they stop).
 */
const stops: Array<{ name: string; stop: () => Promise<void>; timeoutMs: number; first?: boolean; last?: boolean }> =
  [];
let stopping: Promise<void> | undefined;

/** Stops what was started, newest first, each within its time limit, then exits. */
function shutdown(reason: string, code = 0): Promise<void> {
  stopping ??= (async () => {
    if (reason) say(`${reason}: stopping`);
    const force = setTimeout(() => process.exit(code || 1), 20_000);
    force.unref();
    const middle = stops.filter((x) => !x.first && !x.last).reverse();
    for (const s of [...stops.filter((x) => x.first), ...middle, ...stops.filter((x) => x.last)]) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        s.stop().catch((err: unknown) => say(`could not stop ${s.name} cleanly: ${String(err)}`)),
        new Promise<void>((r) => {
          timer = setTimeout(() => {
            say(`${s.name} did not stop within ${s.timeoutMs / 1000} s`);
            r();
          }, s.timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    process.exit(code);
  })();
  return stopping;
}

/** Binds PORT before anything else starts, answering 503 until Next.js is ready. */
async function listen(port: number): Promise<{ server: http.Server; serve: (h: http.RequestListener) => void }> {
  let handler: http.RequestListener = (_req, res) => {
    res.writeHead(503, { "content-type": "application/json", "retry-after": "1", "cache-control": "no-store" });
    res.end(JSON.stringify({ success: false, error: { code: "unavailable", message: "the app is starting" } }));
  };
  // Headers up to 64 KB reach the app, which answers oversized ones (e.g. a 16 KB Idempotency-Key) with the
  // error envelope; only beyond that does Node answer a bare 431.
  const server = http.createServer({ maxHeaderSize: 65_536 }, (req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      const next = port + 1;
      const how = `start it on another port with PORT=${next} npm ${mode === "dev" ? "run dev" : "start"}`;
      if (err.code === "EADDRINUSE")
        reject(new StartError(`port ${port} is already in use (another Akol Webhooks, or another program): ${how}`));
      else if (err.code === "EACCES")
        reject(new StartError(`port ${port} needs privileges this user does not have: ${how}`));
      else reject(err);
    });
    server.listen(port, () => resolve());
  });
  return { server, serve: (h) => (handler = h) };
}

/**
 * The executor worker, restarted with back-off when it dies; its status feeds
 * /api/health. `started` settles with its first start: the app serves once the
 * worker runs (as it did when the executor started inside Next.js), and a
 * worker that cannot start at all (e.g. a function option the executor does
 * not support) fails the start.
 */
function superviseWorker(): Stoppable & {
  started: Promise<void>;
  reload: () => void;
  configure: (vars: Record<string, string>) => void;
} {
  let child: ChildProcess | undefined;
  let config: Record<string, string> | undefined;
  let stoppingWorker = false;
  let reloading = false;
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  const status: ExecutorWorkerStatus = { state: "starting", lastHeartbeat: 0 };
  setExecutorWorkerStatus(status);
  let everReady = false;
  let firstStart: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const started = new Promise<void>((resolve, reject) => (firstStart = { resolve, reject }));
  started.catch(() => undefined); // awaited later, with Next.js's start: not an unhandled rejection meanwhile

  const start = () => {
    const startedAt = Date.now();
    const worker = fork(path.resolve("scripts/executor-worker.mjs"), [], {
      // server-only modules resolve as under Next.js; heap sizes and malloc arenas as scripts/v8-flags.mjs explains
      execArgv: ["--conditions=react-server", ...HEAP_FLAGS],
      env: { ...START_ENV, ...process.env },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child = worker;
    if (config) worker.send({ type: "start", env: config });
    Object.assign(status, { state: "starting", pid: worker.pid, detail: undefined });
    worker.on("message", (m: { type?: string; error?: string }) => {
      if (m.type === "ready" || m.type === "heartbeat") {
        if (status.state !== "running" && m.type === "ready")
          say(`delivery worker running (pid ${worker.pid}, started in ${since(startedAt)})`);
        Object.assign(status, { state: "running", lastHeartbeat: Date.now() });
        if (!everReady) {
          everReady = true;
          firstStart?.resolve();
        }
      } else if (m.type === "failed") status.detail = m.error;
    });
    worker.once("exit", (code, signal) => {
      if (stoppingWorker || stopping) return; // stopped with the app (Ctrl-C reaches the whole group)
      if (reloading) {
        reloading = false;
        start();
        return;
      }
      if (Date.now() - startedAt > 60_000) failures = 0;
      const delay = Math.min(30_000, 1000 * 2 ** failures++);
      const why = status.detail ?? (signal ? `killed by ${signal}` : `exit code ${code}`);
      Object.assign(status, { state: "down", detail: why });
      if (!everReady) {
        firstStart?.reject(new StartError(`the delivery worker could not start: ${why}`));
        return;
      }
      say(`the delivery worker stopped (${why}): restarting in ${delay / 1000} s`);
      restartTimer = setTimeout(start, delay);
    });
  };
  start();

  return {
    started,
    /** The variables known only once the database is up: the worker starts its executor when it gets them. */
    configure: (vars) => {
      config = vars;
      if (child?.connected) child.send({ type: "start", env: vars });
    },
    /** Development: a fresh worker with the changed code (in-flight calls finish or are released first). */
    reload: () => {
      const w = child;
      if (reloading || !w?.connected || status.state === "down") return;
      reloading = true;
      w.send({ type: "stop" });
    },
    stop: async () => {
      stoppingWorker = true;
      clearTimeout(restartTimer);
      const w = child;
      if (!w || w.exitCode !== null || w.signalCode !== null) return;
      const exited = new Promise<void>((r) => w.once("exit", () => r()));
      if (w.connected) w.send({ type: "stop" });
      else w.kill("SIGTERM");
      const killer = setTimeout(() => w.kill("SIGKILL"), 8_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Development: restart the worker when code it runs changes (Next.js reloads its own part itself). */
function reloadOnChange(reload: () => void): void {
  let timer: NodeJS.Timeout | undefined;
  for (const dir of ["inngest", "lib"]) {
    try {
      watch(path.resolve(dir), { recursive: true }, (_event, file) => {
        if (!file || !/\.tsx?$/.test(file) || /\.test\.tsx?$/.test(file) || file.includes("generated")) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          say(`${path.join(dir, file)} changed: restarting the delivery worker`);
          reload();
        }, 300);
      }).unref();
    } catch {
      // no recursive watch on this platform: restart `npm run dev` to pick up changes
    }
  }
}

/** The parent pid of `pid` (Linux /proc), or undefined if it is gone or unknown. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/**
 * Stops the app when whoever started it is gone — even killed outright (npm
 * does not pass SIGHUP on, and a SIGKILLed npm passes nothing): the parent,
 * and when the parent is the `sh -c` of `npm run`, the shell's parent too.
 */
function watchParent(): void {
  const parent = process.ppid;
  let grandparent: number | undefined;
  try {
    const cmd = readFileSync(`/proc/${parent}/cmdline`, "utf8").split("\0");
    if (/(^|\/)(sh|dash|bash)$/.test(cmd[0] ?? "") && cmd[1] === "-c") grandparent = parentOf(parent);
  } catch {
    // no /proc (macOS): the parent alone is watched
  }
  setInterval(() => {
    const orphaned = process.ppid !== parent || (grandparent !== undefined && parentOf(parent) !== grandparent);
    if (orphaned) void shutdown("the process that started the app exited");
  }, 500).unref();
}

async function main() {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void shutdown(sig));
  watchParent();

  const env = parseEnv(process.env);
  if (mode === "start" && !existsSync(path.resolve(".next", "BUILD_ID"))) {
    throw new ConfigError("no production build found: run `npm run build` first");
  }
  const { server, serve } = await listen(env.PORT);
  stops.push({
    name: "the HTTP server",
    timeoutMs: 5_000,
    first: true,
    stop: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await Promise.race([closed, sleep(3_000)]);
      server.closeAllConnections();
    },
  });

  const url = env.APP_URL ?? `http://localhost:${env.PORT}`;
  // Next.js runs in this process: its configuration is this process's environment (the worker inherits it).
  Object.assign(process.env, {
    NODE_ENV: mode === "start" ? "production" : "development",
    AUTH_SECRET: env.AUTH_SECRET,
    SECRETS_ENCRYPTION_KEY: env.SECRETS_ENCRYPTION_KEY,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? url,
    NEXT_TELEMETRY_DISABLED: "1",
    CHECKPOINT_DISABLE: "1",
  });
  // The worker loads its modules while the database starts; it gets DATABASE_URL once there is one.
  let workerStarted: Promise<void> = Promise.resolve();
  let worker: ReturnType<typeof superviseWorker> | undefined;
  if (env.embeddedExecutor) {
    worker = superviseWorker();
    stops.push({ name: "the delivery worker", timeoutMs: 10_000, stop: worker.stop });
    workerStarted = worker.started;
  }

  // Next.js's modules load while the database starts, too (NODE_ENV is set; nothing reads DATABASE_URL at import).
  const loadingNext = import("next");
  loadingNext.catch(() => undefined); // awaited below

  const database = await provideDatabase(env, { role: "launcher", log: say });
  stops.push({ name: "the database", timeoutMs: 20_000, last: true, stop: () => database.release() });
  say(database.embedded ? `embedded PostgreSQL ready (data in ${env.dataDir})` : "using DATABASE_URL");
  if (stopping) return;

  process.env.DATABASE_URL = database.url;
  if (worker) {
    worker.configure({ DATABASE_URL: database.url });
    if (mode === "dev") reloadOnChange(worker.reload);
  }

  say(`Akol Webhooks is starting on ${url}`);
  const { default: next } = await loadingNext;
  const app = next({
    dev: mode === "dev",
    dir: process.cwd(),
    hostname: "localhost",
    port: env.PORT,
    httpServer: server,
  });
  stops.push({ name: "Next.js", timeoutMs: 5_000, stop: () => app.close() });
  const preparing = Date.now();
  await Promise.all([app.prepare().then(() => say(`Next.js prepared in ${since(preparing)}`)), workerStarted]);
  const handle = app.getRequestHandler();
  serve((req, res) => void handle(req, res));
  if (!stopping) say(`ready on ${url} (in ${since(began)})`);
}

/** Errors reaching a database: the user fixes DATABASE_URL or the server, a stack trace would not help. */
const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EHOSTUNREACH", "28P01", "3D000"]);

main().catch((err: unknown) => {
  const code = (err as { code?: unknown } | null)?.code;
  const line =
    err instanceof ConfigError || err instanceof StartError
      ? err.message
      : err instanceof Error && typeof code === "string" && CONNECTION_ERRORS.has(code)
        ? `cannot use the database: ${err.message} (check DATABASE_URL)`
        : err instanceof Error
          ? (err.stack ?? err.message)
          : String(err);
  process.stderr.write(`[akol] ${line}\n`);
  void shutdown("", 1);
});
