import { existsSync } from "node:fs";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";
import { ensureE2eTls } from "./e2e/tls";

/**
 * End-to-end tests in a real Chromium against the production build, started
 * on the embedded default (a fresh DATA_DIR per run). The system Chromium
 * (/usr/bin/chromium, or CHROMIUM_PATH) is used when present; otherwise
 * Playwright's own (`npx playwright install chromium`).
 */

const PORT = Number(process.env.E2E_PORT ?? 3987);
const DATA_DIR = path.resolve(process.env.E2E_DATA_DIR ?? ".data/e2e");
// The webhook receiver's CA, trusted by the server through NODE_EXTRA_CA_CERTS below. Written now, at
// config load: Playwright starts the webServer before globalSetup. Idempotent (workers load this too).
const TLS = ensureE2eTls(path.join(DATA_DIR, "tls"));
const systemChromium = process.env.CHROMIUM_PATH ?? (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  globalSetup: "./e2e/global-setup.ts",
  use: {
    baseURL: `http://localhost:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    permissions: ["clipboard-read", "clipboard-write"],
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: systemChromium,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
          ],
        },
      },
    },
  ],
  webServer: {
    command: "npm start",
    url: `http://localhost:${PORT}/sign-in`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    env: {
      PORT: String(PORT),
      DATA_DIR,
      EMBEDDED_DB_PORT: String(PORT + 1000),
      DATABASE_URL: "",
      WEBHOOK_ALLOWED_TARGETS: "127.0.0.1,localhost",
      NODE_EXTRA_CA_CERTS: TLS.caPath,
      WEBHOOK_RETRY_SCHEDULE: "1,2,3",
      LOG_LEVEL: "warn",
      // e2e/account-security.spec.ts: a short throttle window, so "429, then the right password works" runs in
      // seconds; sign-ups and per-IP sign-in failures unthrottled, since every spec signs up from 127.0.0.1.
      AUTH_SIGN_IN_MAX_FAILURES: "3",
      AUTH_THROTTLE_WINDOW_SECONDS: "8",
      AUTH_SIGN_IN_MAX_FAILURES_PER_IP: "100000",
      AUTH_SIGN_UP_PER_IP: "100000",
    },
  },
});
