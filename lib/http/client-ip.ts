import { settings } from "@/lib/env";

/**
 * The client's IP address, for per-IP throttles.
 *
 * Without TRUST_PROXY, X-Forwarded-* headers come from the client and prove
 * nothing: the address is the TCP peer's, stamped on every request by the
 * server itself (CLIENT_ADDRESS_HEADER, see stampClientAddress, installed by
 * instrumentation.ts), overwriting anything the client sent under that name.
 * With TRUST_PROXY=1 (exactly one reverse proxy in front of the app), the
 * rightmost X-Forwarded-For entry, the one the proxy appended, is the client.
 */

export const CLIENT_ADDRESS_HEADER = "x-akol-client-address";

export function clientIp(req: Request): string {
  if (settings().TRUST_PROXY) {
    const forwarded = req.headers.get("x-forwarded-for");
    const last = forwarded?.split(",").pop()?.trim();
    if (last) return last;
  }
  return req.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
}
