import http from "node:http";
import { settings } from "@/lib/env";
import { CLIENT_ADDRESS_HEADER } from "@/lib/http/client-ip";

/**
 * Route handlers see a Web Request without its socket, and Next.js keeps any
 * X-Forwarded-For a client sends. So, once per process (instrumentation.ts),
 * every incoming request of the Node.js HTTP server gets the TCP peer's
 * address under CLIENT_ADDRESS_HEADER (a client's own value is overwritten),
 * and, unless TRUST_PROXY is set, loses the X-Forwarded-* headers a client
 * may have forged (Next.js then fills them from the socket itself).
 */

const FORWARDED = ["x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded"];
let installed = false;

export function stampClientAddress(req: http.IncomingMessage): void {
  req.headers[CLIENT_ADDRESS_HEADER] = req.socket?.remoteAddress ?? "unknown";
  if (!settings().TRUST_PROXY) for (const h of FORWARDED) delete req.headers[h];
}

export function installClientAddressStamp(): void {
  if (installed) return;
  installed = true;
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request" && args[0] instanceof http.IncomingMessage) stampClientAddress(args[0]);
    return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
  } as typeof emit;
}
