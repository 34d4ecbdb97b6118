/**
 * `npm run dev` / `npm start`: provides the database (embedded PostgreSQL when
 * DATABASE_URL is unset), applies migrations, then runs Next.js. Stopping the
 * app (Ctrl-C, SIGTERM) stops the embedded database too.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { provideDatabase } from "@/lib/db/local";
import { ConfigError, parseEnv } from "@/lib/env";

const mode = process.argv[2] === "start" ? "start" : "dev";
const say = (m: string) => process.stdout.write(`[akol] ${m}\n`);

async function main() {
  const env = parseEnv(process.env);
  if (mode === "start" && !existsSync(path.resolve(".next", "BUILD_ID"))) {
    throw new ConfigError("no production build found: run `npm run build` first");
  }
  const database = await provideDatabase(env, { role: "launcher", log: say });
  say(database.embedded ? `embedded PostgreSQL ready (data in ${env.dataDir})` : "using DATABASE_URL");

  const url = env.APP_URL ?? `http://localhost:${env.PORT}`;
  const child = spawn(path.resolve("node_modules/.bin/next"), [mode, "--port", String(env.PORT)], {
    stdio: "inherit",
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      AUTH_SECRET: env.AUTH_SECRET,
      SECRETS_ENCRYPTION_KEY: env.SECRETS_ENCRYPTION_KEY,
      NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? url,
      // Headers up to 64 KB reach the app, which answers oversized ones (e.g. a 16 KB Idempotency-Key) with
      // the error envelope; only beyond that does Node answer a bare 431.
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --max-http-header-size=65536`.trim(),
      NEXT_TELEMETRY_DISABLED: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
  say(`Akol Webhooks is starting on ${url}`);

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill("SIGKILL");
          resolve();
        }, 10_000);
        child.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await database.release().catch((err: unknown) => say(`could not stop the database cleanly: ${String(err)}`));
    process.exit(code);
  };
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void shutdown(0));
  child.on("exit", (code, signal) => void shutdown(code ?? (signal ? 1 : 0)));
}

main().catch((err: unknown) => {
  process.stderr.write(
    `[akol] ${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
