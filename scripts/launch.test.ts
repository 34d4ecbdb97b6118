import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "@/test/support/global-setup";
import { HEAP_FLAGS, START_ENV } from "@/scripts/v8-flags.mjs";
import { REPO_ROOT, buildPresent } from "@/test/soak/app-process";

/**
 * The launcher's process lifecycle (`npm start` = scripts/launch.ts start), with
 * real processes and real signals: every way of stopping it leaves nothing
 * running (Next.js, the executor worker, the embedded PostgreSQL), a SIGKILL
 * leaves nothing serving and the next start recovers, a busy PORT is one line
 * and exit code 1, and /api/health tells the truth when the worker or the
 * database dies. Needs the production build (`npm run build`; `npm test` builds first).
 */

const build = buildPresent();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const dataDir = mkdtempSync(path.join(tmpdir(), "akol-launch-"));
chmodSync(dataDir, 0o755); // as root, PostgreSQL runs as `postgres`, which must reach DATA_DIR/postgres
const pgdata = path.join(dataDir, "postgres");
let dbPort = 0;
const running = new Set<number>();

beforeAll(async () => {
  dbPort = await freePort();
});

afterAll(async () => {
  for (const pgid of running) signal(-pgid, "SIGKILL");
  const pm = postmasterPid();
  if (pm) signal(pm, "SIGKILL");
  await sleep(300);
  rmSync(dataDir, { recursive: true, force: true });
});

function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/** /proc/<pid>/stat: state and process group (a zombie counts as gone: it runs nothing). */
function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: f[0]!, pgrp: Number(f[2]) };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== "Z" && s.state !== "X";
}

/** Live processes of a process group. */
function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => procStat(pid)?.pgrp === pgid && alive(pid));
}

function postmasterPid(): number | undefined {
  const file = path.join(pgdata, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  return pid > 0 && alive(pid) ? pid : undefined;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await cond())) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
  return Date.now() - start;
}

type Health = {
  status: number;
  body: { ok?: boolean; checks?: Record<string, { ok: boolean; detail: string }> } & { error?: { message: string } };
};

async function health(port: number): Promise<Health> {
  const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as Health["body"] };
}

type Launched = {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The launcher's pid (for `npm start`, the npm process is `child`). */
  launcherPid: number;
  workerPid: number;
};

function appEnv(port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    EMBEDDED_DB_PORT: String(dbPort),
    DATABASE_URL: "",
    AUTH_SECRET: "",
    SECRETS_ENCRYPTION_KEY: "",
    INNGEST_DEV: "",
    INNGEST_EVENT_KEY: "",
    INNGEST_SIGNING_KEY: "",
    LOG_LEVEL: "info",
    ...extra,
  };
  delete env.NODE_ENV;
  for (const k of Object.keys(env)) if (k.startsWith("VITEST") || k === "NODE_OPTIONS" || k in START_ENV) delete env[k];
  return env as NodeJS.ProcessEnv;
}

function spawnLauncher(port: number, via: "node" | "npm", extra: Record<string, string> = {}) {
  const [cmd, args] =
    via === "npm" ? ["npm", ["start", "--silent"]] : [process.execPath, ["scripts/launch.mjs", "start"]];
  const child = spawn(cmd, args, {
    cwd: REPO_ROOT,
    env: appEnv(port, extra),
    detached: true, // its own process group, like a terminal's foreground job
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child.pid!);
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, sig) => resolve({ code, signal: sig })),
  );
  return { child, exited, output: () => out };
}

/** Starts the launcher and waits until /api/health is 200 (database up, executor worker running). */
async function launch(via: "node" | "npm" = "node", port?: number): Promise<Launched> {
  const p = port ?? (await freePort());
  const { child, exited, output } = spawnLauncher(p, via);
  let gone = false;
  void exited.then(() => (gone = true));
  let last: Health | undefined;
  await waitFor(
    "the app to become ready",
    async () => {
      if (gone) throw new Error(`the launcher exited during start-up:\n${output()}`);
      last = await health(p).catch(() => undefined);
      return last?.status === 200;
    },
    120_000,
  );
  const workerPid = Number(/worker process (\d+)/.exec(last?.body.checks?.executor?.detail ?? "")?.[1]);
  const launcherPid = Number(readFileSync(path.join(dataDir, "launcher.pid"), "utf8"));
  expect(workerPid).toBeGreaterThan(0);
  expect(launcherPid).toBeGreaterThan(0);
  return { child, port: p, output, exited, launcherPid, workerPid };
}

/** A process's command-line arguments and environment (Linux /proc). */
function procArgsAndEnv(pid: number): { args: string[]; env: string[] } {
  const read = (f: string) => readFileSync(`/proc/${pid}/${f}`, "utf8").split("\0").filter(Boolean);
  return { args: read("cmdline"), env: read("environ") };
}

/**
 * The memory settings of scripts/v8-flags.mjs reach both processes: the worker always (the launcher forks it
 * with them), the launcher when started as `npm start` (package.json's "start" script).
 */
function expectMemorySettings(app: Launched, via: "node" | "npm"): void {
  const settings = Object.entries(START_ENV).map(([k, v]) => `${k}=${v}`);
  for (const pid of via === "npm" ? [app.workerPid, app.launcherPid] : [app.workerPid]) {
    const { args, env } = procArgsAndEnv(pid);
    for (const flag of HEAP_FLAGS) expect(args).toContain(flag);
    for (const kv of settings) expect(env).toContain(kv);
  }
}

/** Nothing of the run is left: launcher, worker and PostgreSQL processes gone, PORT closed. */
async function expectAllGone(app: Launched, withinMs: number): Promise<void> {
  const pg = postmasterPid();
  const took = await waitFor(
    "every process of the app to exit",
    async () =>
      !alive(app.launcherPid) &&
      !alive(app.workerPid) &&
      !(pg && alive(pg)) &&
      groupMembers(app.child.pid!).length === 0 &&
      !(await portOpen(app.port)),
    withinMs,
  );
  running.delete(app.child.pid!);
  expect(took).toBeLessThan(withinMs);
}

describe.skipIf(!build)("launcher lifecycle (production build, real signals)", () => {
  for (const [sig, target] of [
    ["SIGTERM", "launcher"],
    ["SIGINT", "launcher"],
    ["SIGHUP", "launcher"],
    ["SIGINT", "group"],
    ["SIGTERM", "npm"],
    ["SIGHUP", "npm"],
    ["SIGKILL", "npm"],
  ] as const) {
    it(`${sig} to ${target === "npm" ? "npm" : `the ${target}`} stops Next.js, the executor worker and PostgreSQL within seconds`, async () => {
      const app = await launch(target === "npm" ? "npm" : "node");
      expect(postmasterPid()).toBeGreaterThan(0);
      expectMemorySettings(app, target === "npm" ? "npm" : "node");
      if (target === "launcher") process.kill(app.launcherPid, sig);
      else if (target === "group") process.kill(-app.child.pid!, sig);
      else process.kill(app.child.pid!, sig); // npm itself
      await expectAllGone(app, 15_000);
      expect(app.output()).not.toMatch(/\n\s+at /); // no stack trace on the way out
    });
  }

  it("SIGKILL of the launcher leaves nothing serving; the next start reuses the data and recovers", async () => {
    const app = await launch();
    process.kill(app.launcherPid, "SIGKILL");
    await waitFor("the worker to follow its launcher", () => !alive(app.workerPid), 10_000);
    expect(await portOpen(app.port)).toBe(false);
    const orphan = postmasterPid();
    expect(orphan).toBeGreaterThan(0); // PostgreSQL outlives a SIGKILL: the next start must deal with it
    running.delete(app.child.pid!);

    const again = await launch("node", app.port);
    expect(again.output()).toContain("orphaned PostgreSQL");
    expect((await health(again.port)).status).toBe(200);

    // A second start on the busy PORT: one line, exit code 1, the running instance untouched.
    const second = spawnLauncher(again.port, "node");
    const { code } = await second.exited;
    running.delete(second.child.pid!);
    expect(code).toBe(1);
    const lines = second.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`port ${again.port} is already in use`);
    expect(lines[0]).toContain("PORT=");
    expect((await health(again.port)).status).toBe(200);
    expect(alive(again.workerPid)).toBe(true);

    process.kill(again.launcherPid, "SIGTERM");
    await expectAllGone(again, 15_000);
  });

  it("/api/health answers 503 with the reason when the worker or the database dies, without flooding the log", async () => {
    const app = await launch();
    // The worker dies: 503 naming it, then 200 again once the launcher has restarted it.
    process.kill(app.workerPid, "SIGKILL");
    await waitFor("a 503 naming the worker", async () => (await health(app.port)).status === 503, 10_000);
    expect((await health(app.port)).body.error?.message).toMatch(/executor worker/);
    await waitFor("the restarted worker", async () => (await health(app.port)).status === 200, 60_000);

    // The database dies under the running app.
    const pg = postmasterPid()!;
    const before = app.output().length;
    process.kill(pg, "SIGINT"); // PostgreSQL's fast shutdown
    await waitFor("PostgreSQL to stop", () => !alive(pg), 15_000);
    const down = await health(app.port);
    expect(down.status).toBe(503);
    expect(down.body.error?.message).toMatch(/database unreachable: .*ECONNREFUSED/);
    expect(down.body.checks).toBeUndefined(); // the error envelope; the checks are in details
    await sleep(6_000); // the worker polls every 100 ms: ~60 identical failures
    const logged = app.output().slice(before);
    const refused = logged.split("\n").filter((l) => l.includes("ECONNREFUSED"));
    expect(refused.length).toBeGreaterThan(0); // it is logged…
    expect(refused.length).toBeLessThanOrEqual(6); // …once per distinct message, not once per poll
    expect((await fetch(`http://127.0.0.1:${app.port}/api/health/live`)).status).toBe(200);

    process.kill(app.launcherPid, "SIGTERM");
    await expectAllGone(app, 15_000);
  });
});
