/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database. */
import { provideDatabase } from "@/lib/db/local";
import { parseEnv } from "@/lib/env";

const env = parseEnv(process.env);
const say = (m: string) => process.stdout.write(`[akol] ${m}\n`);
provideDatabase(env, { role: "cli", log: say })
  .then(async (database) => {
    say("database is up to date");
    await database.release();
  })
  .catch((err: unknown) => {
    process.stderr.write(`[akol] migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
