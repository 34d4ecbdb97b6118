import { ensureE2eTls } from "./tls";

/**
 * Each spec creates its own users (fresh DATA_DIR per run). The test CA the
 * server trusts is already written by playwright.config.ts (the webServer
 * starts before this runs); this only makes sure it is still in place.
 */
export default function globalSetup(): void {
  ensureE2eTls();
}
