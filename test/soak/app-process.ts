import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, type WriteStream } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TSX_NODE_ARGS } from "@/test/support/node-args";

/**
 * The real production app as a child process, for the fault-injection soak:
 * `node --conditions=react-server --import tsx scripts/launch.ts start` (the `npm start` launcher, which
 * runs `next start` on the built `.next`) in its own process group, so that a
 * SIGKILL to the group takes the launcher and the Next.js server down at once,
 * exactly like a crashed machine. Output goes to a log file (appended across
 * restarts) and its tail is kept in memory for failure messages.
 */

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export function buildPresent(): boolean {
  return existsSync(path.join(REPO_ROOT, ".next", "BUILD_ID"));
}

export interface AppProcess {
  readonly pid: number;
  readonly url: string;
  /** Resolves when the launcher process has exited (code or signal). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the whole process group; resolves once the launcher is gone and the port is free. */
  kill(): Promise<void>;
  /** SIGTERM to the group (graceful stop), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartAppOptions {
  port: number;
  env: NodeJS.ProcessEnv;
  /** Appended to; one header line per start. */
  logFile: string;
  /** Last lines of output kept for error messages. */
  tail: string[];
  readyTimeoutMs?: number;
}

const live = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Never leave a server behind, whatever happens to the test process.
  process.once("exit", () => {
    for (const pid of live) signalGroup(pid, "SIGKILL");
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pushLines(tail: string[], prefix: string, chunk: Buffer): void {
  for (const line of chunk.toString("utf8").split("\n")) {
    if (!line) continue;
    tail.push(`${prefix}${line}`);
    if (tail.length > 200) tail.splice(0, tail.length - 200);
  }
}

/** Starts the launcher and waits until `/sign-in` answers. */
export async function startApp(opts: StartAppOptions): Promise<AppProcess> {
  installExitHook();
  const url = `http://127.0.0.1:${opts.port}`;
  const out: WriteStream = createWriteStream(opts.logFile, { flags: "a" });
  out.write(`\n===== start ${new Date().toISOString()} port ${opts.port}\n`);
  const child: ChildProcess = spawn(process.execPath, [...TSX_NODE_ARGS, "scripts/launch.ts", "start"], {
    cwd: REPO_ROOT,
    env: opts.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn the app launcher");
  live.add(pid);
  child.stdout?.on("data", (d: Buffer) => {
    out.write(d);
    pushLines(opts.tail, "", d);
  });
  child.stderr?.on("data", (d: Buffer) => {
    out.write(d);
    pushLines(opts.tail, "", d);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      out.write(`===== exit code=${code} signal=${signal} ${new Date().toISOString()}\n`);
      resolve({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const waitGone = async () => {
    await exited;
    // The Next.js server may be a grandchild: wait until the group is empty
    // (a zombie nobody reaps would keep it "alive", hence the cap) and the port is free.
    const deadline = Date.now() + 10_000;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
    while (Date.now() < deadline) {
      try {
        await fetch(`${url}/sign-in`, { signal: AbortSignal.timeout(500), redirect: "manual" });
      } catch {
        break;
      }
      await sleep(50);
    }
    live.delete(pid);
  };

  const app: AppProcess = {
    pid,
    url,
    exited,
    async kill() {
      signalGroup(pid, "SIGKILL");
      await waitGone();
    },
    async stop(timeoutMs = 15_000) {
      if (!hasExited) signalGroup(pid, "SIGTERM");
      const t = setTimeout(() => signalGroup(pid, "SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(t);
      signalGroup(pid, "SIGKILL"); // stragglers of the group
      await waitGone();
    },
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
  while (true) {
    if (hasExited) {
      throw new Error(`the app exited before answering /sign-in:\n${opts.tail.slice(-40).join("\n")}`);
    }
    try {
      const res = await fetch(`${url}/sign-in`, { signal: AbortSignal.timeout(5_000), redirect: "manual" });
      await res.arrayBuffer();
      if (res.status < 500) return app;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await app.kill();
      throw new Error(
        `the app did not answer /sign-in within ${opts.readyTimeoutMs ?? 90_000} ms:\n${opts.tail.slice(-40).join("\n")}`,
      );
    }
    await sleep(100);
  }
}
