import { X509Certificate } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { testTls } from "../test/support/https-receiver";

/**
 * The test CA shared by the app under test and the e2e HTTPS receiver.
 *
 * The server runs with NODE_EXTRA_CA_CERTS=<DATA_DIR>/tls/ca.pem (see
 * playwright.config.ts), and Playwright starts it before globalSetup, so the
 * files are created when the config is loaded — in the runner process, before
 * the web server. Workers load the config too and find them in place: every
 * process then uses the same CA and the same receiver certificate
 * (server.pem / server.key, signed by that CA for localhost and 127.0.0.1).
 *
 * The certificates come from test/support/https-receiver.ts `testTls()` (the
 * integration tests' throw-away CA), copied into the directory. Anyone else
 * preparing the directory (e.g. scripts/test.sh) must write all three files;
 * a directory holding only ca.pem is regenerated.
 */

export const E2E_DATA_DIR = path.resolve(process.env.E2E_DATA_DIR ?? ".data/e2e");
export const E2E_TLS_DIR = path.join(E2E_DATA_DIR, "tls");

export type E2eTls = { dir: string; caPath: string; caPem: string; certPem: string; keyPem: string };

const FILES = ["ca.pem", "server.pem", "server.key"] as const;
const MIN_VALIDITY_MS = 12 * 3600 * 1000;

function usable(dir: string): boolean {
  if (!FILES.every((f) => existsSync(path.join(dir, f)))) return false;
  try {
    const ca = new X509Certificate(readFileSync(path.join(dir, "ca.pem")));
    const cert = new X509Certificate(readFileSync(path.join(dir, "server.pem")));
    const soon = Date.now() + MIN_VALIDITY_MS;
    return cert.checkIssued(ca) && Date.parse(ca.validTo) > soon && Date.parse(cert.validTo) > soon;
  } catch {
    return false;
  }
}

/** Creates (or reuses) the CA and receiver certificate in `dir`. Idempotent; call before the server starts. */
export function ensureE2eTls(dir: string = E2E_TLS_DIR): E2eTls {
  if (!usable(dir)) {
    const tls = testTls();
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    // server files first, the CA last: a reader that sees the new ca.pem sees a matching certificate
    copyFileSync(path.join(tls.dir, "server.key"), path.join(dir, "server.key"));
    copyFileSync(path.join(tls.dir, "server.pem"), path.join(dir, "server.pem"));
    copyFileSync(tls.caPath, path.join(dir, "ca.pem"));
  }
  return readE2eTls(dir);
}

/** The files already in place (workers: the runner created them before the server started). */
export function readE2eTls(dir: string = E2E_TLS_DIR): E2eTls {
  const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
  return {
    dir,
    caPath: path.join(dir, "ca.pem"),
    caPem: read("ca.pem"),
    certPem: read("server.pem"),
    keyPem: read("server.key"),
  };
}
