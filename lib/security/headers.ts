/**
 * The security headers of every response (pages, API, static files), set in
 * one place: proxy.ts calls `securityHeaders` for each request.
 *
 * - Content-Security-Policy with a fresh nonce per request: scripts only from
 *   this origin or carrying the nonce (Next.js puts it on its own scripts,
 *   reading it from the request's CSP header; `'strict-dynamic'` lets those
 *   load their chunks); no `'unsafe-eval'` except in development (React's
 *   dev tooling needs it; the dev server's injected styles need inline
 *   styles too, development only); no plugins, no <base> hijack, forms post only here,
 *   and `frame-ancestors 'none'`: no other site may frame a page.
 * - X-Frame-Options: DENY (the same, for older browsers),
 *   X-Content-Type-Options: nosniff, Referrer-Policy:
 *   strict-origin-when-cross-origin, a Permissions-Policy denying powerful
 *   features, Cross-Origin-Opener-Policy: same-origin.
 * - Strict-Transport-Security (2 years, subdomains) when APP_URL is https.
 *
 * A component that needs the nonce (e.g. a pre-paint inline script) reads
 * it with `cspNonce()` (lib/security/nonce.ts) in a server component.
 *
 * The machine-facing API (`/api/v1/…`, `/api/health…`: JSON only, never a
 * document that runs a script) gets the same headers with a fixed, stricter
 * policy instead of a nonce (`apiSecurityHeaders`): `default-src 'none';
 * frame-ancestors 'none'` etc. — built once per process, so a publish pays
 * no random nonce and no rewrite of its request headers.
 */

export const NONCE_HEADER = "x-nonce";

export type SecurityHeaderOptions = { nonce: string; https: boolean; development: boolean };

export function contentSecurityPolicy({ nonce, https, development }: SecurityHeaderOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // Development only: the dev server injects <style> elements (CSS hot reload) without the nonce.
    development ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    // Server-rendered style="" attributes (layout tweaks); they cannot run code.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** The policy of the machine-facing API's answers: nothing may load, run or frame them. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Paths of the machine-facing API (JSON answers only): `/api/v1`, `/api/v1/…`, `/api/health`, `/api/health/…`. */
export function isMachineApiPath(pathname: string): boolean {
  return /^\/api\/(v1|health)(\/|$)/.test(pathname);
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    ...staticSecurityHeaders(options.https),
  };
}

/** The security headers of a machine-facing API answer (no nonce: the same for every answer). */
export function apiSecurityHeaders(https: boolean): Record<string, string> {
  return { "Content-Security-Policy": API_CONTENT_SECURITY_POLICY, ...staticSecurityHeaders(https) };
}

function staticSecurityHeaders(https: boolean): Record<string, string> {
  return {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    ...(https ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}
