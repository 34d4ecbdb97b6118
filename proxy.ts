import { NextResponse, type NextRequest } from "next/server";
import { settings } from "@/lib/env";
import { NONCE_HEADER, securityHeaders } from "@/lib/security/headers";

/**
 * Next.js 16 Proxy (formerly middleware): the one place security headers are
 * set, on every response (lib/security/headers.ts). The per-request CSP nonce
 * is passed to rendering on the request (the CSP header, which Next.js reads
 * to put the nonce on its scripts, and `x-nonce` for our own components).
 *
 * Not for the machine-facing API (`/api/v1/…`, `/api/health/…`): its answers
 * carry fixed security headers that next.config.mjs sets without running a
 * proxy (lib/security/api-headers.mjs, which says why).
 */
export function proxy(request: NextRequest): NextResponse {
  const s = settings();
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const headers = securityHeaders({
    nonce,
    https: (s.APP_URL ?? "").startsWith("https:"),
    development: s.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(NONCE_HEADER, nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/** Every path but the machine-facing API's (a literal: Next.js reads it when building). */
export const config = { matcher: ["/((?!api/v1(?:/|$)|api/health(?:/|$)).*)"] };
