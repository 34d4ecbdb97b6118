import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { settings } from "@/lib/env";
import {
  CA_FILE,
  createLocalCertificates,
  readLocalCertificates,
  usableLocalCertificates,
  type LocalCertificates,
} from "@/lib/tls/local-ca";

/**
 * `npm run receiver`, the local HTTPS endpoint for trying deliveries, and
 * the one exemption development makes for it.
 *
 * Files in DATA_DIR/receiver/: ca.pem, server.pem, server.key (a local CA,
 * name-constrained to 127.0.0.1/::1/localhost, whose private key is deleted
 * once it has signed the receiver's certificate) and receiver.json (the port
 * the receiver last listened on).
 *
 * With NODE_ENV=development only (what `npm run dev` runs), the delivery
 * client trusts that CA (besides the system roots; TLS still fully verified)
 * and the SSRF guard lets through exactly https://127.0.0.1:<that port>/:
 * no other port, no other loopback or private address, no host name. In
 * production and in tests nothing here applies (WEBHOOK_ALLOWED_TARGETS and
 * NODE_EXTRA_CA_CERTS remain the only exemptions).
 */

export const LOCAL_RECEIVER_HOST = "127.0.0.1";
export const LOCAL_RECEIVER_DEFAULT_PORT = 9443;
const STATE_FILE = "receiver.json";
const CERT_DAYS = 825;
/** Certificates closer than this to expiry are made again. */
const MIN_VALIDITY_MS = 3600 * 1000;
const CERT_IPS = ["127.0.0.1", "::1"] as const;
const CERT_DNS = ["localhost"] as const;

/** DATA_DIR/receiver, absolute. */
export function localReceiverDir(dataDir: string = settings().DATA_DIR): string {
  return path.join(path.resolve(dataDir), "receiver");
}

export function localReceiverUrl(port: number): string {
  return `https://${LOCAL_RECEIVER_HOST}:${port}/`;
}

/**
 * The receiver's CA and certificate in DATA_DIR/receiver: made on first use
 * (or when expiring), reused afterwards. Safe against two processes making
 * them at once: they are made in a temporary directory that is renamed in.
 */
export function ensureLocalReceiverCertificates(dataDir?: string): LocalCertificates & { created: boolean } {
  const dir = localReceiverDir(dataDir);
  if (usableLocalCertificates(dir, MIN_VALIDITY_MS, [...CERT_IPS, ...CERT_DNS])) {
    return { ...readLocalCertificates(dir), created: false };
  }
  const parent = path.dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = mkdtempSync(path.join(parent, ".receiver-"));
  try {
    createLocalCertificates(tmp, {
      caName: "Akol Webhooks local receiver CA",
      dnsNames: CERT_DNS,
      ipAddresses: CERT_IPS,
      days: CERT_DAYS,
      constrainNames: true,
    });
    let state: string | undefined;
    try {
      state = readFileSync(path.join(dir, STATE_FILE), "utf8");
    } catch {
      state = undefined;
    }
    if (state !== undefined) writeFileSync(path.join(tmp, STATE_FILE), state);
    // Another process may have finished meanwhile: keep its files.
    if (usableLocalCertificates(dir, MIN_VALIDITY_MS)) return { ...readLocalCertificates(dir), created: false };
    rmSync(dir, { recursive: true, force: true });
    try {
      renameSync(tmp, dir);
    } catch (err) {
      // Another process renamed its own directory in first: use that one.
      if (!usableLocalCertificates(dir, MIN_VALIDITY_MS)) throw err;
      return { ...readLocalCertificates(dir), created: false };
    }
    return { ...readLocalCertificates(dir), created: true };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const stateSchema = z.object({ port: z.number().int().min(1).max(65535) });

/** Remember the port the receiver listens on (read by the development server). */
export function recordLocalReceiverPort(port: number, dataDir?: string): void {
  const dir = localReceiverDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ port }) + "\n");
  renameSync(tmp, file);
}

/** The port the receiver last listened on, or the default 9443. */
export function localReceiverPort(dataDir?: string): number {
  try {
    const raw = readFileSync(path.join(localReceiverDir(dataDir), STATE_FILE), "utf8");
    return stateSchema.parse(JSON.parse(raw)).port;
  } catch {
    return LOCAL_RECEIVER_DEFAULT_PORT;
  }
}

// ---------------------------------------------------------------------------
// The development exemption

export interface LocalReceiverAllowance {
  host: typeof LOCAL_RECEIVER_HOST;
  port: number;
  url: string;
  caPath: string;
  /** The CA, once `npm run receiver` has made it. */
  caPem?: string;
  /** Changes whenever the port or the CA does (the delivery client rebuilds its connection pool). */
  key: string;
}

let cache: { stamp: string; value: LocalReceiverAllowance } | undefined;

function stampOf(file: string): string {
  try {
    const s = statSync(file);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return "-";
  }
}

/** True only for `npm run dev` (NODE_ENV=development): never in production or tests. */
export function localReceiverEnabled(): boolean {
  return settings().NODE_ENV === "development";
}

/**
 * In development, the local receiver's address and CA; undefined otherwise.
 * Re-read when DATA_DIR/receiver changes (e.g. the receiver moved to another
 * port with --port), so `npm run dev` need not be restarted.
 */
export function localReceiverAllowance(): LocalReceiverAllowance | undefined {
  if (!localReceiverEnabled()) return undefined;
  const dir = localReceiverDir();
  const caPath = path.join(dir, CA_FILE);
  const stamp = `${dir}|${stampOf(path.join(dir, STATE_FILE))}|${stampOf(caPath)}`;
  if (cache?.stamp === stamp) return cache.value;
  const port = localReceiverPort();
  let caPem: string | undefined;
  try {
    caPem = readFileSync(caPath, "utf8");
  } catch {
    caPem = undefined;
  }
  const value: LocalReceiverAllowance = {
    host: LOCAL_RECEIVER_HOST,
    port,
    url: localReceiverUrl(port),
    caPath,
    ...(caPem === undefined ? {} : { caPem }),
    key: stamp,
  };
  cache = { stamp, value };
  return value;
}

/** True when `host` (normalised) and `port` are exactly the local receiver's, in development. */
export function isLocalReceiverTarget(host: string, port: number): boolean {
  const allowance = localReceiverAllowance();
  return allowance !== undefined && host === allowance.host && port === allowance.port;
}

/** The default port of a URL's scheme when it names none. */
export function effectivePort(url: URL): number {
  if (url.port !== "") return Number(url.port);
  return url.protocol === "http:" ? 80 : 443;
}

/**
 * Appended to a refusal of a local or private target: in development, where
 * to get a local endpoint that works; nothing otherwise.
 */
export function localTargetHint(): string {
  const allowance = localReceiverAllowance();
  if (!allowance) return "";
  return ` (to try deliveries locally, run \`npm run receiver\` and use the URL it prints: ${allowance.url})`;
}

/** `p` relative to the working directory when it is inside it, else absolute. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : p;
}

/** The development server's one start-up line about the receiver; undefined outside development. */
export function localReceiverStartupLine(): string | undefined {
  const allowance = localReceiverAllowance();
  if (!allowance) return undefined;
  const ca = displayPath(allowance.caPath);
  return (
    `development: webhooks may target the local receiver ${allowance.url} (\`npm run receiver\`), ` +
    `TLS verified with its CA ${ca}${allowance.caPem ? "" : " once created"}; no other local address is allowed`
  );
}

/** Prints the start-up line (development only). */
export function announceLocalReceiver(): void {
  const line = localReceiverStartupLine();
  if (line) process.stdout.write(`[akol] ${line}\n`);
}
