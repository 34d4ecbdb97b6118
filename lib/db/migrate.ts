import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";

/**
 * Applies the committed SQL migrations (prisma/migrations/<name>/migration.sql)
 * under a PostgreSQL advisory lock, recording each one in Prisma's own
 * `_prisma_migrations` table with Prisma's checksum (sha256 of the file), so
 * `prisma migrate deploy` agrees wherever its engine can be downloaded.
 */

const LOCK_KEY = 72707369; // same key as Prisma Migrate's advisory lock

export type Migration = { name: string; sql: string; checksum: string };

export const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      // Prisma's checksum is the sha256 of the file's bytes (not of a re-encoded string).
      const bytes = readFileSync(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export async function migrate(
  connectionString: string,
  opts: { dir?: string; log?: (m: string) => void } = {},
): Promise<string[]> {
  const log = opts.log ?? (() => undefined);
  const migrations = readMigrations(opts.dir);
  const client = new pg.Client({ connectionString });
  // A connection lost mid-run also surfaces as the pending query's rejection;
  // without a listener the 'error' event would crash the process instead.
  client.on("error", () => undefined);
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const rows = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`);
    const done = new Map(
      rows.rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r.checksum]),
    );
    const failed = rows.rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed)
      throw new Error(
        `migration ${failed.migration_name} failed earlier and needs attention (see _prisma_migrations.logs)`,
      );
    for (const m of migrations) {
      const known = done.get(m.name);
      if (known) {
        if (known !== m.checksum) throw new Error(`migration ${m.name} was modified after it was applied`);
        continue;
      }
      const id = randomUUID();
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
        [id, m.checksum, m.name],
      );
      try {
        await client.query("BEGIN");
        await client.query(m.sql);
        await client.query(
          `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        await client.query("COMMIT");
      } catch (err) {
        // Best effort: a dead connection must not hide the migration's own error.
        await client.query("ROLLBACK").catch(() => undefined);
        await client
          .query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, String(err)])
          .catch(() => undefined);
        throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.name);
      log(`applied migration ${m.name}`);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
  return applied;
}
