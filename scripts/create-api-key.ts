/**
 * `npm run create-api-key -- --email <email> [--password <pw>] [--name <key name>]`
 * Creates the user and workspace if missing, then a new API key, printed alone
 * on the last line of stdout. Works whether or not the app is running.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { createApiKey } from "@/lib/auth/api-keys";
import { createUserWithWorkspace, signUpSchema } from "@/lib/auth/users";
import { provideDatabase } from "@/lib/db/local";
import { parseEnv } from "@/lib/env";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" } },
    strict: true,
  });
  if (!values.email) {
    process.stderr.write("usage: npm run create-api-key -- --email <email> [--password <pw>] [--name <key name>]\n");
    return 2;
  }
  const config = parseEnv(process.env);
  const database = await provideDatabase(config, { role: "cli" });
  // The embedded database and its generated secrets, as the launcher hands them to the app.
  process.env.DATABASE_URL = database.url;
  process.env.AUTH_SECRET = config.AUTH_SECRET;
  process.env.SECRETS_ENCRYPTION_KEY = config.SECRETS_ENCRYPTION_KEY;
  const { db, disconnectDb } = await import("@/lib/db");
  try {
    const email = values.email.toLowerCase();
    let membership = await db.membership.findFirst({ where: { user: { email } }, orderBy: { createdAt: "asc" } });
    if (!membership) {
      const password = values.password ?? randomBytes(12).toString("base64url");
      const input = signUpSchema.safeParse({ email, password });
      if (!input.success) {
        process.stderr.write(
          `invalid input: ${input.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}\n`,
        );
        return 2;
      }
      const user = await createUserWithWorkspace(input.data);
      process.stdout.write(`created user ${user.email} with workspace ${user.workspaceId}\n`);
      if (!values.password) process.stdout.write(`generated password (shown once): ${password}\n`);
      membership = { userId: user.id, workspaceId: user.workspaceId, role: "owner", createdAt: new Date() };
    }
    const key = await createApiKey(membership.workspaceId, values.name ?? "CLI key");
    process.stdout.write(`created API key ${key.prefix}… for workspace ${membership.workspaceId}\n`);
    process.stdout.write(`${key.key}\n`);
    return 0;
  } finally {
    await disconnectDb();
    await database.release();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`create-api-key failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
