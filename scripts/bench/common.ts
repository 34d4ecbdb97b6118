/**
 * Shared plumbing of the benchmarks (scripts/bench/*.ts): start the production
 * app through the real launcher on a throw-away DATA_DIR, create an API key
 * with the real CLI, run autocannon, sample RSS from /proc, and stop
 * everything (process group, embedded PostgreSQL, temp folders) at the end,
 * also on Ctrl-C or a failure.
 *
 * Options (env) shared by every benchmark:
 *   BENCH_APP_DIR=<dir>        start the app from another checkout with its own build (default: this repo)
 *   BENCH_WAIT_QUIET=60        wait up to this many seconds for other work on the machine to calm down
 *   BENCH_APP_NODE_OPTIONS=…   extra Node options for the app's processes (e.g. --max-old-space-size=256)
 *   BENCH_CPU_PROF=<dir>       CPU profiles of the app's Node processes (scripts/bench/preload.cjs), read
 *                              with `node --import tsx scripts/bench/cpuprofile-top.ts <file> [top] [regexp]`
 *   BENCH_MEM_LOG=<dir>        heap/RSS of the app's Node processes every second
 *   BENCH_PG_COUNT=<prefix>    count of the app's SQL statements by kind, written when it exits
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, chmodSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon, {
  type Instance as AutocannonInstance,
  type Options as AutocannonOptions,
  type Result as AutocannonResult,
} from "autocannon";
import { TSX_NODE_ARGS } from "@/test/support/node-args";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Where the app is started from (its .next build, its scripts/launch.ts). Default: this repository. */
export const APP_DIR = path.resolve(process.env.BENCH_APP_DIR ?? REPO);

export const say = (line = "") => process.stdout.write(`${line}\n`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Cleanup on every exit path

const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;

/** Runs `fn` at the end (LIFO), whether the benchmark finishes, fails or is interrupted. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function runCleanups(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`cleanup failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
  })();
  return cleaning;
}

/** Runs a benchmark's main(): prints a failure clearly, always cleans up, sets the exit code. */
export function main(fn: () => Promise<void>): void {
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n${sig}: stopping the app and cleaning up…\n`);
      void runCleanups().finally(() => process.exit(130));
    });
  }
  fn().then(
    async () => {
      await runCleanups();
      process.exit(0);
    },
    async (err: unknown) => {
      const text =
        err instanceof SetupError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
      process.stderr.write(`\nbenchmark failed: ${text}\n`);
      await runCleanups();
      process.exit(1);
    },
  );
}

// ---------------------------------------------------------------------------
// Machine

export function machineLine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  return (
    `cores: ${os.availableParallelism()} (${cpus[0]?.model.trim() ?? "?"}), node ${process.version}, ` +
    `RAM ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average before start: ${load}`
  );
}

/** Busy CPU share of the whole machine over `ms` (0..1), from /proc/stat: shows whether something else ran. */
export function cpuMeter(): () => number {
  const read = () => {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  const start = read();
  return () => {
    const now = read();
    const total = now.total - start.total;
    return total > 0 ? 1 - (now.idle - start.idle) / total : 0;
  };
}

/**
 * How busy the machine is before the benchmark starts (other builds/tests skew
 * every figure on 2 cores). Waits up to BENCH_WAIT_QUIET seconds (default 60)
 * for the busy share over 2 s to fall under 25 %, then prints it either way.
 */
export async function waitForQuietMachine(): Promise<void> {
  const maxWait = Number(process.env.BENCH_WAIT_QUIET ?? 60) * 1000;
  const start = Date.now();
  let busy = 0;
  for (;;) {
    const m = cpuMeter();
    await sleep(2000);
    busy = m();
    if (busy < 0.25 || Date.now() - start >= maxWait) break;
  }
  const waited = Math.round((Date.now() - start) / 1000);
  say(
    `machine busy before start: ${Math.round(busy * 100)} % of all cores (over 2 s, after ${waited} s)` +
      (busy >= 0.25 ? " — WARNING: other work is running; the figures below are skewed by it" : ""),
  );
}

// ---------------------------------------------------------------------------
// Ports, temp folders

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  // World-traversable, so that the embedded PostgreSQL (run as the `postgres` user when we are root) uses it directly.
  chmodSync(dir, 0o755);
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// ---------------------------------------------------------------------------
// /proc

/** `childCpuMs`: CPU of its children that have exited and been reaped (cutime + cstime). */
type ProcInfo = {
  pid: number;
  ppid: number;
  pgrp: number;
  comm: string;
  rssKb: number;
  cpuMs: number;
  childCpuMs: number;
};

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

function readProc(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const fields = stat.slice(close + 2).split(" ");
    const ppid = Number(fields[1]);
    const pgrp = Number(fields[2]);
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
    const childCpuMs = (Number(fields[13]) + Number(fields[14])) * TICK_MS; // cutime + cstime
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { pid, ppid, pgrp, comm, rssKb, cpuMs, childCpuMs };
  } catch {
    return undefined; // gone meanwhile
  }
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** Processes of a process group. */
export function groupProcesses(pgid: number): ProcInfo[] {
  return allPids()
    .map(readProc)
    .filter((p): p is ProcInfo => p !== undefined && p.pgrp === pgid);
}

/**
 * The app's processes: its process group, plus the children of its
 * PostgreSQL postmaster (backends call setsid(), so they leave the group).
 */
export function appProcesses(pgid: number): ProcInfo[] {
  const all = allPids()
    .map(readProc)
    .filter((p): p is ProcInfo => p !== undefined);
  const group = all.filter((p) => p.pgrp === pgid);
  const postmasters = new Set(group.filter((p) => p.comm.startsWith("postgres")).map((p) => p.pid));
  return [...group, ...all.filter((p) => p.pgrp !== pgid && postmasters.has(p.ppid))];
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

/** postgres processes serving `pgdata` (matched on the postmaster's -D, and on its children through the group). */
export function postgresOf(pgdata: string, port: number): number[] {
  return allPids().filter((pid) => {
    const c = cmdline(pid);
    return c.includes("postgres") && (c.includes(`-D ${pgdata}`) || c.includes(`-p ${port} `));
  });
}

/** CPU time used so far by a PostgreSQL server: its postmaster (found by `pgdata`/`port`) and every child of it. */
export function postgresServerCpuMs(pgdata: string, port: number): number {
  const roots = new Set(postgresOf(pgdata, port));
  let ms = 0;
  for (const p of allPids().map(readProc)) {
    if (p && roots.has(p.pid))
      ms += p.cpuMs + p.childCpuMs; // the postmaster reaps its exited backends
    else if (p && roots.has(p.ppid)) ms += p.cpuMs;
  }
  return ms;
}

export type RssSample = { appMb: number; postgresMb: number; processes: number };

/** Proportional set size (shared pages divided among the processes sharing them), when readable. */
function pssKb(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RSS of the app's processes (launcher + Next.js server: every non-postgres
 * process of the group) and memory of its PostgreSQL (postmaster + backends,
 * as PSS: summed RSS would count the shared buffers once per backend).
 */
export function rssSample(pgid: number): RssSample {
  const procs = appProcesses(pgid);
  let app = 0;
  let pg = 0;
  for (const p of procs) {
    if (p.comm.startsWith("postgres")) pg += pssKb(p.pid) ?? p.rssKb;
    else app += p.rssKb;
  }
  return { appMb: app / 1024, postgresMb: pg / 1024, processes: procs.length };
}

/**
 * CPU time used so far by the app's processes and by its PostgreSQL (live
 * processes, plus the backends PostgreSQL reaped: take deltas over a phase). Unlike wall-clock rates,
 * CPU per request barely changes when other work shares the machine.
 */
/** CPU time (ms) of the app's processes: all Node processes, the launcher (Next.js, the API) alone, PostgreSQL. */
export function groupCpu(pgid: number): { appMs: number; launcherMs: number; postgresMs: number } {
  let app = 0;
  let launcher = 0;
  let pg = 0;
  for (const p of appProcesses(pgid)) {
    // The postmaster's reaped children (backends that exited, e.g. idle pool connections closed during a
    // phase) count too, or a phase's delta could even be negative.
    if (p.comm.startsWith("postgres")) pg += p.cpuMs + p.childCpuMs;
    else app += p.cpuMs;
    if (p.pid === pgid) launcher += p.cpuMs;
  }
  return { appMs: app, launcherMs: launcher, postgresMs: pg };
}

/** Samples RSS every `everyMs` until stopped; returns the peak and mean. */
export function rssSampler(pgid: number, everyMs = 250) {
  const samples: RssSample[] = [];
  const take = () => samples.push(rssSample(pgid));
  take();
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      const peak = (k: "appMb" | "postgresMb") => Math.max(...samples.map((s) => s[k]));
      const mean = (k: "appMb" | "postgresMb") => samples.reduce((a, s) => a + s[k], 0) / samples.length;
      return {
        peakAppMb: peak("appMb"),
        meanAppMb: mean("appMb"),
        peakPostgresMb: peak("postgresMb"),
        samples: samples.length,
      };
    },
  };
}

// ---------------------------------------------------------------------------
// The app

export type App = {
  url: string;
  port: number;
  dataDir: string;
  dbPort: number;
  pgid: number;
  child: ChildProcess;
  /** Connection URL of its embedded PostgreSQL (credentials from DATA_DIR/embedded-db.json). */
  databaseUrl(): string;
  /** The last lines the app printed. */
  logTail(n?: number): string;
  /** `npm run create-api-key -- --email <email>`: the key (last stdout line). */
  createApiKey(email: string): Promise<string>;
  stop(): Promise<void>;
};

/** A precondition the user has to fix (printed without a stack trace). */
export class SetupError extends Error {
  override name = "SetupError";
}

export function assertBuilt(): void {
  if (!existsSync(path.join(APP_DIR, ".next", "BUILD_ID"))) {
    throw new SetupError(`no production build in ${path.join(APP_DIR, ".next")}: run \`npm run build\` first`);
  }
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: APP_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `node scripts/launch.mjs start` (what `npm start` runs) in its
 * own process group, with a temp DATA_DIR, free PORT and EMBEDDED_DB_PORT
 * (embedded PostgreSQL), waiting until GET /api/health answers.
 */
/**
 * What APP_DIR's `npm start` script (`[VAR=value …] node <options> scripts/launch.mjs start`) sets: its
 * environment variables (e.g. MALLOC_ARENA_MAX) and its Node options (e.g. its heap sizes).
 */
function startCommand(): { env: Record<string, string>; options: string[] } {
  try {
    const pkg = JSON.parse(readFileSync(path.join(APP_DIR, "package.json"), "utf8")) as {
      scripts?: { start?: string };
    };
    const m = /^((?:[A-Za-z_]\w*=\S*\s+)*)node\s+(.*?)\s*scripts\/launch\.mjs start$/.exec(pkg.scripts?.start ?? "");
    const env = Object.fromEntries(
      (m?.[1]?.trim().split(/\s+/).filter(Boolean) ?? []).map((kv) => [
        kv.slice(0, kv.indexOf("=")),
        kv.slice(kv.indexOf("=") + 1),
      ]),
    );
    return { env, options: m?.[2] ? m[2].split(/\s+/) : [] };
  } catch {
    return { env: {}, options: [] };
  }
}

export async function startApp(
  opts: { env?: Record<string, string>; label?: string; readyTimeoutMs?: number } = {},
): Promise<App> {
  assertBuilt();
  const dataDir = tempDir(`akol-bench-${opts.label ?? "app"}-`);
  const port = await freePort();
  const dbPort = await freePort();
  const start = startCommand();
  const env: NodeJS.ProcessEnv = {
    ...start.env,
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    EMBEDDED_DB_PORT: String(dbPort),
    DATABASE_URL: "",
    INNGEST_DEV: "",
    INNGEST_EVENT_KEY: "",
    INNGEST_SIGNING_KEY: "",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    ...opts.env,
  };
  // `next start` runs in production mode by itself; the launcher and the CLI keep their default, under which
  // the embedded database's generated secrets (DATA_DIR/secrets.json) are used, as with a plain `npm start`.
  delete (env as Record<string, string | undefined>).NODE_ENV;
  if (process.env.BENCH_APP_NODE_OPTIONS)
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} ${process.env.BENCH_APP_NODE_OPTIONS}`.trim();
  if (process.env.BENCH_CPU_PROF || process.env.BENCH_MEM_LOG || process.env.BENCH_PG_COUNT) {
    // Diagnosis (scripts/bench/preload.cjs): CPU profiles of every Node process of the app, written when it
    // exits (summarise with `node --import tsx scripts/bench/cpuprofile-top.ts <file>`), and/or a memory log.
    for (const k of ["BENCH_CPU_PROF", "BENCH_MEM_LOG", "BENCH_PG_COUNT"] as const)
      if (process.env[k]) env[k] = path.resolve(process.env[k]);
    env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ""} --require ${path.join(REPO, "scripts/bench/preload.cjs")}`.trim();
  }
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    for (const l of d.toString().split("\n")) if (l.trim()) lines.push(l);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  };
  // What `npm start` runs, with its Node options (older checkouts, e.g. BENCH_APP_DIR, have no launch.mjs).
  const entry = existsSync(path.join(APP_DIR, "scripts/launch.mjs"))
    ? [...start.options, "scripts/launch.mjs", "start"]
    : ["--import", "tsx", "scripts/launch.ts", "start"];
  const child = spawn(process.execPath, entry, {
    cwd: APP_DIR,
    env,
    detached: true, // its own process group: the launcher, Next.js and PostgreSQL
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const pgid = child.pid!;
  const url = `http://127.0.0.1:${port}`;
  const pgdata = path.join(dataDir, "postgres");
  let exited = false;
  child.once("exit", () => (exited = true));

  const app: App = {
    url,
    port,
    dataDir,
    dbPort,
    pgid,
    child,
    databaseUrl() {
      const c = JSON.parse(readFileSync(path.join(dataDir, "embedded-db.json"), "utf8")) as {
        user: string;
        password: string;
        database: string;
      };
      return `postgresql://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${dbPort}/${c.database}`;
    },
    logTail: (n = 40) => lines.slice(-n).join("\n"),
    async createApiKey(email) {
      const r = await run("npm", ["run", "create-api-key", "--", "--email", email], env, 120_000);
      const last = r.stdout.trim().split("\n").pop()?.trim() ?? "";
      if (r.code !== 0 || !last.startsWith("akol_sk_")) {
        throw new Error(`create-api-key failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
      }
      return last;
    },
    async stop() {
      const alive = () => groupProcesses(pgid).length > 0;
      if (alive()) {
        try {
          process.kill(-pgid, "SIGTERM");
        } catch {
          /* already gone */
        }
        for (let i = 0; i < 300 && alive(); i++) await sleep(100);
        if (alive()) {
          process.stderr.write(`the app's process group ${pgid} did not stop within 30 s: SIGKILL\n`);
          try {
            process.kill(-pgid, "SIGKILL");
          } catch {
            /* gone */
          }
          for (let i = 0; i < 50 && alive(); i++) await sleep(100);
        }
      }
      const leftovers = postgresOf(pgdata, dbPort);
      if (leftovers.length) {
        process.stderr.write(
          `PostgreSQL still running after the app stopped (pids ${leftovers.join(", ")}): SIGKILL\n`,
        );
        for (const pid of leftovers) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            /* gone */
          }
        }
        await sleep(500);
      }
      const still = postgresOf(pgdata, dbPort);
      if (still.length) throw new Error(`PostgreSQL processes left behind: ${still.join(", ")}`);
    },
  };
  onCleanup(() => app.stop());

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 180_000);
  while (true) {
    if (exited) throw new Error(`the app exited during start-up:\n${app.logTail()}`);
    if (Date.now() > deadline)
      throw new Error(
        `the app did not answer GET /api/health within ${(opts.readyTimeoutMs ?? 180_000) / 1000} s:\n${app.logTail()}`,
      );
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) break;
      if (res.status === 404)
        throw new SetupError(
          "GET /api/health answered 404: the build predates app/api/health/route.ts; run `npm run build`",
        );
    } catch (err) {
      if (err instanceof SetupError) throw err;
    }
    await sleep(250);
  }
  return app;
}

/**
 * Stops a child process: SIGTERM, then SIGKILL if it has not exited within 5 s.
 * Resolves when it has exited (or at the SIGKILL); at once if it already had.
 */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await new Promise<void>((r) => {
    const t = setTimeout(() => {
      child.kill("SIGKILL");
      r();
    }, 5000);
    child.once("exit", () => {
      clearTimeout(t);
      r();
    });
  });
}

// ---------------------------------------------------------------------------
// The receiver process (scripts/bench/receiver.ts)

export type ReceiverProcess = {
  url: string;
  port: number;
  caPath: string;
  pid: number;
  /** Receipts (key, epoch ms) reported since the last call; keys come from `keyPattern`. */
  take(): Array<[string, number]>;
  /** Count of requests the receiver answered (all of them, keyed or not). */
  stats(): Promise<{ requests: number }>;
  stop(): Promise<void>;
};

/** Starts an HTTPS receiver (test/support/https-receiver.ts) in its own process, answering 200 at once. */
export async function startReceiverProcess(): Promise<ReceiverProcess> {
  const child = spawn(process.execPath, [...TSX_NODE_ARGS, path.join(REPO, "scripts/bench/receiver.ts")], {
    cwd: REPO,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const received: Array<[string, number]> = [];
  let statsWaiter: ((s: { requests: number }) => void) | undefined;
  const ready = new Promise<{ url: string; port: number; caPath: string }>((resolve, reject) => {
    child.on(
      "message",
      (m: {
        type: string;
        url?: string;
        port?: number;
        caPath?: string;
        items?: Array<[string, number]>;
        requests?: number;
      }) => {
        if (m.type === "ready") resolve({ url: m.url!, port: m.port!, caPath: m.caPath! });
        else if (m.type === "receipts") for (const it of m.items!) received.push(it);
        else if (m.type === "stats") statsWaiter?.({ requests: m.requests! });
      },
    );
    child.once("exit", (code) => reject(new Error(`the receiver process exited (${code})`)));
  });
  const stop = () => stopChild(child);
  onCleanup(stop);
  const info = await ready;
  return {
    ...info,
    pid: child.pid!,
    take: () => received.splice(0, received.length),
    stats: () =>
      new Promise((resolve) => {
        statsWaiter = resolve;
        child.send({ type: "stats" });
      }),
    stop,
  };
}

// ---------------------------------------------------------------------------
// HTTP helpers

export async function api<T = unknown>(
  app: App,
  key: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${app.url}${p}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** Creates `n` webhooks through the API (each is probed by the app, so the receiver must answer). */
export async function createWebhooks(
  app: App,
  key: string,
  n: number,
  url: (i: number) => string,
  events: string[] | ((i: number) => string[]),
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api<{ data: { id: string } }>(app, key, "POST", "/api/v1/webhooks", {
      url: url(i),
      events: typeof events === "function" ? events(i) : events,
    });
    if (r.status !== 201)
      throw new Error(`creating webhook ${i + 1}/${n} answered ${r.status}: ${JSON.stringify(r.body)}`);
    ids.push(r.body.data.id);
  }
  return ids;
}

export function autocannonRun(opts: AutocannonOptions): AutocannonInstance {
  const instance = autocannon(opts);
  onCleanup(() => instance.stop());
  return instance;
}

/** An autocannon run that also keeps every response time and status (for percentiles over several runs). */
export async function autocannonSamples(
  opts: AutocannonOptions,
): Promise<{ result: AutocannonResult; latencies: number[]; non2xx: number }> {
  const instance = autocannonRun(opts);
  const latencies: number[] = [];
  let non2xx = 0;
  instance.on("response", (_client, status, _bytes, ms) => {
    latencies.push(ms);
    if (status < 200 || status >= 300) non2xx++;
  });
  const result = await instance;
  return { result, latencies, non2xx };
}

// ---------------------------------------------------------------------------
// Numbers

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
export const pass = (ok: boolean) => (ok ? "met" : "MISSED");

/** A fixed-width table. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(cells[0]!), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
