/**
 * Next.js server start hook: on the Node.js runtime, say (in development
 * only) which local receiver address is allowed, and start the embedded
 * Inngest executor unless an Inngest server is configured.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  (await import("@/lib/outbound/local-receiver")).announceLocalReceiver();
  const { ensureEmbeddedExecutor } = await import("@/inngest/embedded/start");
  await ensureEmbeddedExecutor();
}
