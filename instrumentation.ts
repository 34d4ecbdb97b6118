/**
 * Next.js server start hook, on the Node.js runtime: stamp each request with
 * its TCP peer's address (per-IP throttles, lib/http/client-ip.ts), say (in
 * development only) which local receiver address is allowed, then start the
 * embedded Inngest executor unless an Inngest server is configured.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { installClientAddressStamp } = await import("@/lib/http/stamp-client-address");
  installClientAddressStamp();
  (await import("@/lib/outbound/local-receiver")).announceLocalReceiver();
  const { ensureEmbeddedExecutor } = await import("@/inngest/embedded/start");
  await ensureEmbeddedExecutor();
}
