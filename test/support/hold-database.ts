/**
 * Test helper process: provides the database as the app launcher does, prints
 * READY <url>, then waits to be killed (used to simulate a crashed app).
 */
import { provideDatabase } from "@/lib/db/local";
import { parseEnv } from "@/lib/env";

const database = await provideDatabase(parseEnv(process.env), { role: "launcher" });
process.stdout.write(`READY ${database.url}\n`);
process.on("SIGTERM", () => void database.release().then(() => process.exit(0)));
setInterval(() => undefined, 1 << 30);
