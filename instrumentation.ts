/**
 * Next.js server start hook (Node.js runtime): start the embedded Inngest
 * executor in this process unless an Inngest server is configured or the
 * launcher (scripts/launch.ts) runs it in its worker process.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { ensureEmbeddedExecutor, executorRunsInWorker, plainProcessEnv } = await import("@/inngest/embedded/start");
  if (executorRunsInWorker()) {
    plainProcessEnv(); // `inngest.send` (every publish) reads process.env too
    return;
  }
  await ensureEmbeddedExecutor();
}
