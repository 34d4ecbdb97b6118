import { FIXED_SECURITY_HEADERS, HSTS } from "@/lib/security/api-headers.mjs";

/**
 * The security headers of every response (pages, API, static files), defined
 * here and in lib/security/api-headers.mjs: proxy.ts calls `securityHeaders`
 * for each page and asset; the machine-facing API (`/api/v1/…`,
 * `/api/health/…`: JSON only) gets `API_SECURITY_HEADERS` — the same headers
 * with a fixed `default-src 'none'` policy instead of a nonce, and HSTS —
 * from next.config.mjs, without running the proxy (see api-headers.mjs).
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

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(options),
    ...FIXED_SECURITY_HEADERS,
    ...(options.https ? { "Strict-Transport-Security": HSTS } : {}),
  };
}
