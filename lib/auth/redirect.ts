/**
 * Where the app may send a browser after signing in (or out): only to its own
 * origin. A target is resolved against the app's origin the way a browser
 * would (so `/\evil.example`, `/%09/evil.example`, `//evil.example`,
 * `https:evil.example` all resolve to their real host) and kept only when the
 * origin (scheme + host + port) is the app's. Used by the sign-in form and by
 * next-auth's `redirect` callback. No server imports: the form runs it too.
 */
export function safeRedirect(target: string | null | undefined, appOrigin: string, fallback = "/webhooks"): string {
  if (!target) return fallback;
  try {
    // Browsers drop tabs and newlines anywhere in a URL and trim C0 controls and spaces: do the same first.
    const cleaned = target.replace(/[\t\n\r]/g, "").replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
    const url = new URL(cleaned, appOrigin);
    if (url.origin !== new URL(appOrigin).origin) return fallback;
    // `/.//evil.example` keeps the origin but its path would read as protocol-relative: one leading slash only.
    return `${url.pathname.replace(/^\/+/, "/")}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
