import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { resolveEmbeddedPort, startEmbeddedPostgres, type EmbeddedDatabase } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";
import type { Env } from "@/lib/env";

/**
 * Gives a process (the app launcher, a CLI) its database: DATABASE_URL when
 * set, otherwise the embedded PostgreSQL of DATA_DIR — the running one if
 * another launcher owns it, or a fresh start (recovering from a crashed run).
 * Pending migrations are applied either way.
 */

function launcherAlive(dataDir: string): boolean {
  const file = path.join(dataDir, "launcher.pid");
  if (!existsSync(file)) return false;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function provideDatabase(
  env: Env,
  opts: { role: "launcher" | "cli"; log?: (m: string) => void },
): Promise<{ url: string; embedded: boolean; release: () => Promise<void> }> {
  const log = opts.log ?? (() => undefined);
  if (env.DATABASE_URL) {
    await migrate(env.DATABASE_URL, { log });
    return { url: env.DATABASE_URL, embedded: false, release: async () => undefined };
  }
  // Attach to a server run by a live launcher of this DATA_DIR; otherwise any server found is an orphan.
  const attach = launcherAlive(env.dataDir);
  const server: EmbeddedDatabase = await startEmbeddedPostgres({
    dataDir: env.dataDir,
    port: await resolveEmbeddedPort({ dataDir: env.dataDir, explicit: env.EMBEDDED_DB_PORT, log }),
    attach,
    log,
  });
  const pidFile = path.join(env.dataDir, "launcher.pid");
  if (opts.role === "launcher") writeFileSync(pidFile, String(process.pid));
  await migrate(server.url, { log });
  return {
    url: server.url,
    embedded: true,
    release: async () => {
      await server.stop();
      if (opts.role === "launcher") rmSync(pidFile, { force: true });
    },
  };
}
