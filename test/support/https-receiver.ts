import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer as createTcpServer, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Resolver } from "@/lib/outbound/ssrf";
import { resetEnvForTests } from "@/lib/env";
import { createLocalCertificates } from "@/lib/tls/local-ca";

/**
 * Test fixtures for outbound webhook delivery: a throw-away CA and server
 * certificate (generated once per process by lib/tls/local-ca.ts), a real
 * HTTPS receiver on 127.0.0.1, a raw TCP "trap" that counts connections, a
 * fake resolver (tests never need real DNS) and env helpers.
 */

/** Names in the server certificate, besides the IPs 127.0.0.1 and ::1. */
export const TEST_CERT_HOSTNAMES = ["localhost", "receiver.test", "hooks.akol.test"] as const;

export interface TestTls {
  dir: string;
  /** PEM file of the test CA: point NODE_EXTRA_CA_CERTS here to trust the receiver. */
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

let tlsCache: TestTls | undefined;

/** The test CA and server certificate, created on first use and cached for the process. */
export function testTls(): TestTls {
  if (tlsCache) return tlsCache;
  const dir = mkdtempSync(path.join(tmpdir(), "akol-test-tls-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  tlsCache = createLocalCertificates(dir, {
    caName: "Akol Webhooks Test CA",
    dnsNames: TEST_CERT_HOSTNAMES,
    ipAddresses: ["127.0.0.1", "::1"],
    days: 3,
  });
  return tlsCache;
}

// ---------------------------------------------------------------------------
// Env helpers

/** Set (or, with undefined, unset) variables, reset env(); returns a function restoring the previous values. */
export function setTestEnv(vars: Record<string, string | undefined>): () => void {
  const previous: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(vars)) {
    previous[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvForTests();
  return () => {
    for (const [k, v] of Object.entries(previous)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvForTests();
  };
}

/** Trust the test CA: NODE_EXTRA_CA_CERTS = testTls().caPath. Returns the restore function. */
export function trustTestCa(): () => void {
  return setTestEnv({ NODE_EXTRA_CA_CERTS: testTls().caPath });
}

/** WEBHOOK_ALLOWED_TARGETS = `list`. Returns the restore function. */
export function allowTargets(list: string): () => void {
  return setTestEnv({ WEBHOOK_ALLOWED_TARGETS: list });
}

/** Both at once: allow `allowedTargets` and (unless trustCa is false) trust the test CA. */
export function useTestTargets(allowedTargets: string, trustCa = true): () => void {
  return setTestEnv({
    NODE_EXTRA_CA_CERTS: trustCa ? testTls().caPath : undefined,
    WEBHOOK_ALLOWED_TARGETS: allowedTargets,
  });
}

// ---------------------------------------------------------------------------
// Fake resolver

/**
 * A resolver answering from a table (hostname → address or addresses, or a
 * function for answers that change between calls). Unknown names fail with
 * ENOTFOUND like getaddrinfo. `calls` records every lookup.
 */
export function fakeResolver(
  table: Record<string, string | string[] | ((call: number) => string | string[])>,
): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const counts = new Map<string, number>();
  const resolver = async (hostname: string) => {
    calls.push(hostname);
    const entry = table[hostname.toLowerCase()];
    if (entry === undefined) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
    }
    const n = (counts.get(hostname) ?? 0) + 1;
    counts.set(hostname, n);
    const value = typeof entry === "function" ? entry(n) : entry;
    const list = Array.isArray(value) ? value : [value];
    return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolver, { calls });
}

// ---------------------------------------------------------------------------
// HTTPS receiver

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: Date;
}

/**
 * Answers a recorded request. The default answers 200 "ok". It may also
 * stall (never end), write a large body, or destroy `raw.socket`.
 */
export type ReceiverHandler = (
  request: ReceivedRequest,
  res: ServerResponse,
  raw: IncomingMessage,
) => void | Promise<void>;

export interface Receiver {
  /** https://127.0.0.1:<port>/webhook */
  url: string;
  port: number;
  /** The same endpoint under another host name (resolve it with fakeResolver to 127.0.0.1). */
  urlFor(hostname: string, pathname?: string): string;
  requests: ReceivedRequest[];
  /** Connections accepted so far (TCP level). */
  connections(): number;
  setHandler(fn?: ReceiverHandler): void;
  close(): Promise<void>;
}

const defaultHandler: ReceiverHandler = (_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok");
};

/** A real HTTPS server on 127.0.0.1 (random port) with the test certificate (or another one, e.g. the e2e CA's). */
export async function startReceiver(
  handler?: ReceiverHandler,
  certificate: { keyPem: string; certPem: string } = testTls(),
): Promise<Receiver> {
  const tls = certificate;
  let current = handler ?? defaultHandler;
  const requests: ReceivedRequest[] = [];
  let connections = 0;
  const server = createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const received: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt: new Date(),
      };
      requests.push(received);
      Promise.resolve(current(received, res, req)).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  server.on("connection", () => connections++);
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}/webhook`,
    port,
    urlFor: (hostname, pathname = "/webhook") => `https://${hostname}:${port}${pathname}`,
    requests,
    connections: () => connections,
    setHandler: (fn) => {
      current = fn ?? defaultHandler;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---------------------------------------------------------------------------
// TCP trap and helpers

export interface TcpTrap {
  port: number;
  host: string;
  /** Connections accepted. */
  connections(): number;
  /** Bytes received over all connections. */
  bytes(): number;
  close(): Promise<void>;
}

/**
 * A plain TCP server that records connections and bytes. `mode` "reset"
 * answers every connection with a TCP RST, "close" with a FIN, "silent"
 * (default) holds it open saying nothing.
 */
export async function startTcpTrap(
  host = "127.0.0.1",
  mode: "silent" | "reset" | "close" = "silent",
): Promise<TcpTrap> {
  let connections = 0;
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("data", (d: Buffer) => {
      bytes += d.length;
    });
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
    if (mode === "reset") socket.resetAndDestroy();
    else if (mode === "close") socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    host,
    connections: () => connections,
    bytes: () => bytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
