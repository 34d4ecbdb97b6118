import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { disconnectDb } from "@/lib/db";
import { resetEnvForTests } from "@/lib/env";

/**
 * Each test file gets its own database, cloned from the migrated template
 * (about 0.2 s), so files run in parallel without sharing rows.
 */
const templateUrl = inject("templateDatabaseUrl");
const template = new URL(templateUrl).pathname.slice(1);
const name = `akol_test_${randomBytes(6).toString("hex")}`;
const admin = new pg.Client({ connectionString: templateUrl.replace(`/${template}`, "/postgres") });
await admin.connect();
await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
await admin.end();

process.env.DATABASE_URL = templateUrl.replace(`/${template}`, `/${name}`);
process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
process.env.SECRETS_ENCRYPTION_KEY ??= randomBytes(32).toString("base64");
process.env.LOG_LEVEL ??= "warn";
resetEnvForTests();

afterAll(async () => {
  await disconnectDb();
});
