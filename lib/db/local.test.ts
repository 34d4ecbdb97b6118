import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { verifyApiKey } from "@/lib/auth/api-keys";
import { db } from "@/lib/db";
import { freePort } from "@/test/support/global-setup";
import { TSX_NODE_ARGS } from "@/test/support/node-args";

// `node --import tsx` runs the script in this very process (the tsx CLI would add a wrapper process).
const NODE = process.execPath;
const script = (file: string) => [...TSX_NODE_ARGS, file];

function run(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(NODE, [...script(file), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLine = (s: string) => s.trim().split("\n").at(-1) ?? "";

async function canConnect(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

describe("create-api-key CLI", () => {
  it("creates the user and workspace if missing and prints the key alone on the last line", async () => {
    const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL };
    const first = await run(
      "scripts/create-api-key.ts",
      ["--email", "Cli@Example.com", "--password", "cli-password-1"],
      env,
    );
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const key = lastLine(first.stdout);
    expect(key).toMatch(/^akol_sk_[A-Za-z0-9]{32}$/);
    const resolved = await verifyApiKey(key);
    const user = await db.user.findUniqueOrThrow({
      where: { email: "cli@example.com" },
      include: { memberships: true },
    });
    expect(resolved?.workspaceId).toBe(user.memberships[0]?.workspaceId);

    const second = await run("scripts/create-api-key.ts", ["--email", "cli@example.com"], env);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("created user");
    const key2 = lastLine(second.stdout);
    expect(key2).not.toBe(key);
    expect((await verifyApiKey(key2))?.workspaceId).toBe(resolved?.workspaceId);
  });

  it("refuses missing --email with a usage message", async () => {
    const res = await run("scripts/create-api-key.ts", [], { ...process.env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("usage");
  });
});

describe("embedded PostgreSQL", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "akol-embedded-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("serves the CLI alone, beside a running app, and after the app was SIGKILLed", async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, EMBEDDED_DB_PORT: String(port) };
    delete env.DATABASE_URL;
    delete env.AUTH_SECRET;
    delete env.SECRETS_ENCRYPTION_KEY;

    // 1. Nothing running: the CLI starts the embedded server, migrates, and stops it again.
    const alone = await run(
      "scripts/create-api-key.ts",
      ["--email", "emb@example.com", "--password", "emb-password-1"],
      env,
    );
    expect(alone.stderr).toBe("");
    expect(alone.code).toBe(0);
    expect(lastLine(alone.stdout)).toMatch(/^akol_sk_/);
    const secrets = JSON.parse(readFileSync(path.join(dataDir, "secrets.json"), "utf8")) as Record<string, string>;
    expect(Buffer.from(secrets.SECRETS_ENCRYPTION_KEY ?? "", "base64")).toHaveLength(32);

    // 2. An app holds the database: the CLI attaches and leaves it running.
    const holder = spawn(NODE, script("test/support/hold-database.ts"), { env, stdio: ["ignore", "pipe", "inherit"] });
    const url = await new Promise<string>((resolve, reject) => {
      holder.stdout.on("data", (d: Buffer) => {
        const m = /READY (\S+)/.exec(d.toString());
        if (m?.[1]) resolve(m[1]);
      });
      holder.on("exit", () => reject(new Error("holder exited early")));
    });
    const beside = await run("scripts/create-api-key.ts", ["--email", "emb@example.com"], env);
    expect(beside.code).toBe(0);
    expect(beside.stdout).not.toContain("created user");
    expect(await canConnect(url)).toBe(true);

    // 3. The app is SIGKILLed: PostgreSQL survives as an orphan; the next start recovers and keeps the data.
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("exit", r));
    expect(await canConnect(url)).toBe(true);
    const after = await run("scripts/create-api-key.ts", ["--email", "emb@example.com"], env);
    expect(after.stderr).toBe("");
    expect(after.code).toBe(0);
    expect(after.stdout).not.toContain("created user");
    const key = lastLine(after.stdout);
    expect(await canConnect(url)).toBe(false); // the CLI owned the restarted server and stopped it

    // The three keys all live in the one persisted database.
    const restarted = spawn(NODE, script("test/support/hold-database.ts"), {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve) =>
      restarted.stdout.on("data", (d: Buffer) => d.toString().includes("READY") && resolve()),
    );
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const keys = await c.query(`select count(*)::int as n from "ApiKey"`);
    const users = await c.query(`select count(*)::int as n from "User"`);
    await c.end();
    restarted.kill("SIGTERM");
    await new Promise((r) => restarted.once("exit", r));
    expect(keys.rows[0]).toEqual({ n: 3 });
    expect(users.rows[0]).toEqual({ n: 1 });
    expect(key).toMatch(/^akol_sk_/);
    expect(await canConnect(url)).toBe(false);
  });
});

describe("embedded PostgreSQL port", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "akol-embedded-port-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("with EMBEDDED_DB_PORT unset, falls back from a busy port to a free one and remembers it in DATA_DIR", async () => {
    // Another program holds the port this data dir would use (54329 by default; here the remembered one).
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const busyPort = (busy.address() as { port: number }).port;
    const file = path.join(dataDir, "embedded-db.json");
    writeFileSync(
      file,
      JSON.stringify({ user: "akol", password: "port-test-password", database: "akol", port: busyPort }),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
    for (const k of ["DATABASE_URL", "EMBEDDED_DB_PORT", "AUTH_SECRET", "SECRETS_ENCRYPTION_KEY"]) delete env[k];
    try {
      const first = await run(
        "scripts/create-api-key.ts",
        ["--email", "port@example.com", "--password", "port-pass-1"],
        env,
      );
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      const chosen = (JSON.parse(readFileSync(file, "utf8")) as { port: number }).port;
      expect(chosen).not.toBe(busyPort);
      expect(chosen).toBeGreaterThan(0);

      // The next start uses the remembered port (and finds the data created on it).
      const second = await run("scripts/create-api-key.ts", ["--email", "port@example.com"], env);
      expect(second.code).toBe(0);
      expect(second.stdout).not.toContain("created user");
      expect((JSON.parse(readFileSync(file, "utf8")) as { port: number }).port).toBe(chosen);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});
