import { headers } from "next/headers";
import { NONCE_HEADER } from "@/lib/security/headers";

/**
 * This request's CSP nonce (set by proxy.ts), for server components that
 * render an inline <script> or <style>: `<script nonce={await cspNonce()}>`.
 * Reading it makes the page render per request, which nonces require.
 */
export async function cspNonce(): Promise<string | undefined> {
  return (await headers()).get(NONCE_HEADER) ?? undefined;
}
