/**
 * Test helper process: the app's delivery engine alone (the embedded executor
 * driving the real functions), on DATABASE_URL. Prints READY, runs until killed.
 * Used to SIGKILL "the app" mid-delivery and restart it.
 */
import { ensureEmbeddedExecutor } from "@/inngest/embedded/start";

const executor = await ensureEmbeddedExecutor({
  pollIntervalMs: 100,
  leaseMs: Number(process.env.TEST_LEASE_MS ?? 3000),
});
process.stdout.write(`READY ${executor?.instanceId ?? "none"}\n`);
setInterval(() => undefined, 1 << 30);
