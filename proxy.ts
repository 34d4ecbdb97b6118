import { NextResponse, type NextRequest } from "next/server";
import { settings } from "@/lib/env";
import { NONCE_HEADER, apiSecurityHeaders, isMachineApiPath, securityHeaders } from "@/lib/security/headers";

/**
 * Next.js 16 Proxy (formerly middleware): the one place security headers are
 * set, on every response (lib/security/headers.ts). The per-request CSP nonce
 * is passed to rendering on the request (the CSP header, which Next.js reads
 * to put the nonce on its scripts, and `x-nonce` for our own components).
 * The machine-facing API's answers (`isMachineApiPath`) need no nonce: they
 * get the fixed API headers, built once, and the request passes unchanged.
 */
let apiHeaders: { https: boolean; entries: [string, string][] } | undefined;

export function proxy(request: NextRequest): NextResponse {
  const s = settings();
  const https = (s.APP_URL ?? "").startsWith("https:");
  if (isMachineApiPath(request.nextUrl.pathname)) {
    if (apiHeaders?.https !== https) apiHeaders = { https, entries: Object.entries(apiSecurityHeaders(https)) };
    const response = NextResponse.next();
    for (const [name, value] of apiHeaders.entries) response.headers.set(name, value);
    return response;
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const headers = securityHeaders({
    nonce,
    https,
    development: s.NODE_ENV === "development",
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(NONCE_HEADER, nonce);
  requestHeaders.set("Content-Security-Policy", headers["Content-Security-Policy"]!);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
