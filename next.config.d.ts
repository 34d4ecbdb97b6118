/** Type of next.config.mjs (plain JavaScript, see there), for TypeScript importers such as the tests. */
import type { NextConfig } from "next";

declare const nextConfig: NextConfig;
export default nextConfig;
