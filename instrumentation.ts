/**
 * Next.js server start hook: on the Node.js runtime, start the embedded
 * Inngest executor unless an Inngest server is configured.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { ensureEmbeddedExecutor } = await import("@/inngest/embedded/start");
  await ensureEmbeddedExecutor();
}
