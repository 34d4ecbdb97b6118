import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeHttpClients, getWebhookDispatcher, sendWebhookRequest } from "@/lib/outbound/http-client";
import { BlockedTargetError, validateWebhookUrl } from "@/lib/outbound/ssrf";
import {
  LOCAL_RECEIVER_DEFAULT_PORT,
  ensureLocalReceiverCertificates,
  localReceiverAllowance,
  localReceiverStartupLine,
  recordLocalReceiverPort,
} from "@/lib/outbound/local-receiver";
import { startReceiver, startTcpTrap, setTestEnv, type Receiver, type TcpTrap } from "@/test/support/https-receiver";

/**
 * The development exemption for `npm run receiver`: with NODE_ENV=development
 * exactly https://127.0.0.1:<the receiver's port>/ is allowed and its CA is
 * trusted (TLS still verified); never another address or port, never in
 * production or tests. Real HTTPS servers using the receiver's certificate.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), "akol-local-receiver-"));
let receiver: Receiver; // serves the local receiver's certificate
let other: Receiver; // the same certificate on another port: must stay refused
let trap: TcpTrap;
let restore: (() => void) | undefined;

function mode(nodeEnv: "development" | "production" | "test", extra: Record<string, string | undefined> = {}) {
  restore?.();
  restore = setTestEnv({
    NODE_ENV: nodeEnv,
    DATA_DIR: dataDir,
    WEBHOOK_ALLOWED_TARGETS: undefined,
    NODE_EXTRA_CA_CERTS: undefined,
    ...extra,
  });
}

const send = (url: string) =>
  sendWebhookRequest({ url, body: '{"type":"call.ended"}', headers: { "webhook-id": "msg_local" }, timeoutMs: 5_000 });

beforeAll(async () => {
  const tls = ensureLocalReceiverCertificates(dataDir);
  expect(tls.created).toBe(true);
  receiver = await startReceiver(undefined, tls);
  other = await startReceiver(undefined, tls);
  trap = await startTcpTrap("127.0.0.1");
  recordLocalReceiverPort(receiver.port, dataDir);
});

afterEach(async () => {
  restore?.();
  restore = undefined;
  await closeHttpClients();
});

afterAll(async () => {
  await receiver.close();
  await other.close();
  await trap.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("local receiver files", () => {
  it("are made once: the CA is reused, its private key is gone, the certificate names 127.0.0.1", () => {
    const before = readFileSync(path.join(dataDir, "receiver", "ca.pem"), "utf8");
    const again = ensureLocalReceiverCertificates(dataDir);
    expect(again.created).toBe(false);
    expect(again.caPem).toBe(before);
    expect(existsSync(path.join(dataDir, "receiver", "ca.key"))).toBe(false);
  });
});

describe("in development (npm run dev)", () => {
  it("allows exactly https://127.0.0.1:<receiver port>/ and delivers with TLS verified by the receiver's CA", async () => {
    mode("development");
    const url = `https://127.0.0.1:${receiver.port}/hook`;
    expect(validateWebhookUrl(url).ok).toBe(true);
    const before = receiver.requests.length;
    const result = await send(url);
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(receiver.requests.length).toBe(before + 1);
    expect(localReceiverStartupLine()).toContain(`https://127.0.0.1:${receiver.port}/`);
  });

  it.each([
    ["another port", (p: number) => `https://127.0.0.1:${p + 1}/`],
    ["the default port 443", () => "https://127.0.0.1/"],
    ["another loopback address", (p: number) => `https://127.0.0.2:${p}/`],
    ["IPv6 loopback", (p: number) => `https://[::1]:${p}/`],
    ["a private address", (p: number) => `https://10.0.0.1:${p}/`],
    ["localhost by name", (p: number) => `https://localhost:${p}/`],
    ["127.0.0.1 written as a number, on another port", (p: number) => `https://2130706433:${p + 2}/`],
  ])("refuses %s, hinting at npm run receiver", (_label, make) => {
    mode("development");
    const result = validateWebhookUrl(make(receiver.port));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain("npm run receiver");
      expect(result.message).toContain(`https://127.0.0.1:${receiver.port}/`);
    }
  });

  it("the connect-time guard lets only that port through (no URL validation involved)", async () => {
    mode("development");
    const dispatcher = getWebhookDispatcher();
    const blocked = await request(`https://127.0.0.1:${trap.port}/`, { method: "POST", body: "x", dispatcher }).catch(
      (e: unknown) => e,
    );
    expect(blocked).toBeInstanceOf(BlockedTargetError);
    expect(trap.connections()).toBe(0);
    const res = await request(`https://127.0.0.1:${receiver.port}/`, { method: "POST", body: "x", dispatcher });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    // the same certificate on another port is refused before connecting
    const otherResult = await send(`https://127.0.0.1:${other.port}/`);
    expect(otherResult.error?.kind).toBe("blocked");
    expect(other.requests).toHaveLength(0);
  });

  it("follows the receiver to another port without a restart", async () => {
    mode("development");
    try {
      recordLocalReceiverPort(other.port, dataDir);
      expect(localReceiverAllowance()?.port).toBe(other.port);
      expect((await send(`https://127.0.0.1:${other.port}/`)).ok).toBe(true);
      expect(validateWebhookUrl(`https://127.0.0.1:${receiver.port}/`).ok).toBe(false);
    } finally {
      recordLocalReceiverPort(receiver.port, dataDir);
    }
  });

  it("defaults to port 9443 before the receiver ever ran", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "akol-local-receiver-empty-"));
    try {
      mode("development", { DATA_DIR: empty });
      expect(localReceiverAllowance()).toMatchObject({
        port: LOCAL_RECEIVER_DEFAULT_PORT,
        url: "https://127.0.0.1:9443/",
      });
      expect(localReceiverAllowance()?.caPem).toBeUndefined();
      expect(validateWebhookUrl("https://127.0.0.1:9443/").ok).toBe(true);
      expect(localReceiverStartupLine()).toMatch(/https:\/\/127\.0\.0\.1:9443\/.*once created/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe.each(["production", "test"] as const)("with NODE_ENV=%s", (nodeEnv) => {
  it("nothing is allowed or trusted, and no hint is given", async () => {
    mode(nodeEnv);
    expect(localReceiverAllowance()).toBeUndefined();
    expect(localReceiverStartupLine()).toBeUndefined();
    const url = `https://127.0.0.1:${receiver.port}/`;
    const checked = validateWebhookUrl(url);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.message).not.toContain("npm run receiver");
    const localhost = validateWebhookUrl(`https://localhost:${receiver.port}/`);
    expect(localhost.ok).toBe(false);
    if (!localhost.ok) expect(localhost.message).not.toContain("npm run receiver");
    const before = receiver.requests.length;
    expect((await send(url)).error?.kind).toBe("blocked");
    const dispatcher = getWebhookDispatcher();
    await expect(request(url, { method: "POST", body: "x", dispatcher })).rejects.toBeInstanceOf(BlockedTargetError);
    expect(receiver.requests.length).toBe(before);
  });

  it("even with the address allowlisted, the receiver's CA is not trusted", async () => {
    mode(nodeEnv, { WEBHOOK_ALLOWED_TARGETS: "127.0.0.1" });
    const result = await send(`https://127.0.0.1:${receiver.port}/`);
    expect(result.error?.kind).toBe("tls");
  });
});
