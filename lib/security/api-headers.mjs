/**
 * The security headers of the machine-facing API's answers (`/api/v1/…`,
 * `/api/health/…`: JSON only, never a document that runs a script), in plain
 * JavaScript because next.config.mjs sets them (`headers()`): Next.js adds
 * them to every answer of those paths in its router, and proxy.ts (whose
 * matcher leaves those paths out) does not run for them. Running the proxy
 * cost ≈ 0.45 ms of CPU per API request warmed up and ≈ 0.8 ms while the
 * server's JIT is still warming up (README, "Benchmarks").
 *
 * The same headers as a page's (lib/security/headers.ts) but with a fixed,
 * stricter policy instead of a nonce, and HSTS always: these are fixed when
 * the app is built, not when it starts (APP_URL is a runtime setting), and a
 * browser ignores HSTS on an answer over plain HTTP (RFC 6797, 8.1), so it
 * takes effect exactly when the API is reached over HTTPS.
 */

/** Nothing may load, run or frame an API answer. */
export const API_CONTENT_SECURITY_POLICY =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The headers every page carries too, whatever its nonce (lib/security/headers.ts). */
export const FIXED_SECURITY_HEADERS = {
  "X-Frame-Options": "DENY",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};

export const HSTS = "max-age=63072000; includeSubDomains";

/** @type {Record<string, string>} */
export const API_SECURITY_HEADERS = {
  "Content-Security-Policy": API_CONTENT_SECURITY_POLICY,
  ...FIXED_SECURITY_HEADERS,
  "Strict-Transport-Security": HSTS,
};

/**
 * The machine-facing API's paths, as next.config.mjs `headers()` sources (each also matches the bare prefix).
 * proxy.ts's matcher excludes the same paths (a literal there: Next.js reads it statically).
 */
export const MACHINE_API_SOURCES = ["/api/v1/:path*", "/api/health/:path*"];
