/**
 * The embedded executor's worker process, started (and restarted) by the
 * launcher (scripts/launch.ts) with an IPC channel; exits when the launcher goes.
 * Events published by the Next.js server are stored for it and found by its
 * poll (every 100 ms).
 */
import { runExecutorWorker } from "@/inngest/embedded/start";

await runExecutorWorker({ pollIntervalMs: 100 });
