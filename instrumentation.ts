/**
 * Next.js server start hook (Node.js runtime): stamp each request with its TCP
 * peer's address (per-IP throttles, lib/http/client-ip.ts), say (in
 * development only) which local receiver address is allowed, then start the
 * embedded Inngest executor in this process unless an Inngest server is
 * configured or the launcher (scripts/launch.ts) runs it in its worker process.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installClientAddressStamp } = await import("@/lib/http/stamp-client-address");
  installClientAddressStamp();
  (await import("@/lib/outbound/local-receiver")).announceLocalReceiver();
  const { ensureEmbeddedExecutor, executorRunsInWorker, plainProcessEnv } = await import("@/inngest/embedded/start");
  if (executorRunsInWorker()) {
    plainProcessEnv(); // `inngest.send` (every publish) reads process.env too
    return;
  }
  await ensureEmbeddedExecutor();
}
