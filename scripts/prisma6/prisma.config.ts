import { PrismaPg } from "@prisma/adapter-pg";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";
import { defineConfig } from "prisma/config";

/**
 * Prisma 6 CLI config used only by scripts/migration-diff.sh.
 *
 * `engine: "js"` + a driver adapter make `prisma migrate diff` run Prisma 6's
 * bundled Wasm schema engine instead of the native one (which cannot be
 * downloaded here). A datamodel-to-datamodel diff needs no database, but the
 * Wasm engine still asks its adapter one start-up question (does the `public`
 * schema exist, which server version). The adapter below answers that from
 * constants and refuses everything else, so nothing is ever connected and no
 * SQL is ever run anywhere.
 */

const pg = new PrismaPg({ connectionString: "postgresql://unused@127.0.0.1:1/unused" }); // never connected

// The PostgreSQL version the generated SQL targets (the embedded server is 17).
const SERVER_VERSION = { text: "PostgreSQL 17.0 (offline stand-in for scripts/migration-diff.sh)", num: 170000 };

function refuse(what: string): never {
  throw new Error(`scripts/prisma6: no database here; the schema engine tried to ${what}`);
}

const offline: SqlDriverAdapter = {
  provider: pg.provider,
  adapterName: pg.adapterName,
  async queryRaw(q: SqlQuery): Promise<SqlResultSet> {
    if (/server_version_num/.test(q.sql) && /pg_namespace/.test(q.sql)) {
      // SELECT EXISTS(<schema>), version(), server_version_num
      return {
        columnNames: ["exists", "version", "numeric_version"],
        columnTypes: [5 /* Boolean */, 7 /* Text */, 0 /* Int32 */],
        rows: [[true, SERVER_VERSION.text, SERVER_VERSION.num]],
      };
    }
    return refuse(`query: ${q.sql}`);
  },
  async executeRaw(q: SqlQuery): Promise<number> {
    return refuse(`execute: ${q.sql}`);
  },
  async executeScript(script: string): Promise<void> {
    return refuse(`run a script: ${script.slice(0, 200)}`);
  },
  async startTransaction(): Promise<Transaction> {
    return refuse("start a transaction");
  },
  async dispose(): Promise<void> {},
};

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },
  adapter: async (): Promise<SqlMigrationAwareDriverAdapterFactory> => ({
    provider: pg.provider,
    adapterName: pg.adapterName,
    connect: async () => offline,
    connectToShadowDb: async () => refuse("connect to a shadow database"),
  }),
});
