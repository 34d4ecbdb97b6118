import { request } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  RESPONSE_BODY_LIMIT_BYTES,
  closeHttpClients,
  getWebhookDispatcher,
  sendWebhookRequest,
  trimPartialUtf8,
  type DeliveryResult,
} from "@/lib/outbound/http-client";
import { parseRetryAfter } from "@/lib/outbound/retry-after";
import { BlockedTargetError, resolveAndCheck } from "@/lib/outbound/ssrf";
import {
  closedPort,
  fakeResolver,
  startReceiver,
  startTcpTrap,
  testTls,
  useTestTargets,
  type Receiver,
  type TcpTrap,
} from "@/test/support/https-receiver";

const PUBLIC_V4 = "93.184.216.34";

let receiver: Receiver;
let trap4: TcpTrap; // plain TCP on 127.0.0.1, never allowlisted in the SSRF suite
let trap6: TcpTrap; // plain TCP on ::1
let restoreEnv: (() => void) | undefined;

/** Set WEBHOOK_ALLOWED_TARGETS (and trust the test CA unless told not to) for one test. */
function targets(allowed: string, trustCa = true) {
  restoreEnv?.();
  restoreEnv = useTestTargets(allowed, trustCa);
}

beforeAll(async () => {
  testTls();
  receiver = await startReceiver();
  trap4 = await startTcpTrap("127.0.0.1");
  trap6 = await startTcpTrap("::1");
});

afterEach(() => {
  restoreEnv?.();
  restoreEnv = undefined;
  receiver.setHandler();
});

afterAll(async () => {
  await closeHttpClients();
  await receiver.close();
  await trap4.close();
  await trap6.close();
});

function send(url: string, extra: Partial<Parameters<typeof sendWebhookRequest>[0]> = {}): Promise<DeliveryResult> {
  return sendWebhookRequest({
    url,
    body: '{"type":"webhook.probe"}',
    headers: { "webhook-id": "msg_test" },
    timeoutMs: 3_000,
    ...extra,
  });
}

describe("SSRF: hostile targets are refused before any byte is sent", () => {
  // {P4} / {P6}: the ports of the TCP traps on 127.0.0.1 and ::1. Were a check
  // to fail for a loopback form, the trap would count the connection; for any
  // other address the attempt would time out instead of being "blocked".
  const resolver = fakeResolver({
    "internal.test": "127.0.0.1",
    "metadata.test": "169.254.169.254",
    "v6loop.test": "::1",
    "mapped.test": "::ffff:127.0.0.1",
    "mixed.test": [PUBLIC_V4, "127.0.0.1"],
    "private.test": "10.1.2.3",
    "cgnat.test": "100.64.1.1",
    "ula.test": "fd12::1",
    "nat64.test": "64:ff9b::7f00:1",
    "sixtofour.test": "2002:7f00:1::1",
    "octal-answer.test": "0177.0.0.1",
    "zero.test": "0.0.0.0",
  });

  const hostile: string[] = [
    // scheme, credentials, length, local names
    "http://127.0.0.1:{P4}/",
    "http://example.com/",
    "gopher://127.0.0.1:{P4}/_x",
    "https://user:pass@127.0.0.1:{P4}/",
    "https://user:pass@example.com/",
    `https://example.com/${"x".repeat(2100)}`,
    "https://localhost:{P4}/",
    "https://LOCALHOST.:{P4}/",
    "https://hooks.localhost:{P4}/",
    // IPv4 loopback in every notation
    "https://127.0.0.1:{P4}/",
    "https://2130706433:{P4}/",
    "https://0177.0.0.1:{P4}/",
    "https://0x7f.0.0.1:{P4}/",
    "https://0x7f000001:{P4}/",
    "https://127.1:{P4}/",
    "https://0x7f.1:{P4}/",
    "https://0177.0x0.0.01:{P4}/",
    "https://127.0.0.1.:{P4}/",
    "https://%31%32%37.0.0.1:{P4}/",
    "https://１２７.０.０.１:{P4}/",
    "https://127.255.255.254:{P4}/",
    "https://0.0.0.0:{P4}/",
    "https://0:{P4}/",
    // IPv6 loopback / mapped / embedded forms
    "https://[::1]:{P6}/",
    "https://[0:0:0:0:0:0:0:1]:{P6}/",
    "https://[::]:{P6}/",
    "https://[::ffff:127.0.0.1]:{P4}/",
    "https://[::ffff:7f00:1]:{P4}/",
    "https://[::127.0.0.1]:{P4}/",
    "https://[64:ff9b::127.0.0.1]:{P4}/",
    "https://[2002:7f00:1::]:{P4}/",
    "https://[fe80::1%25lo]:{P6}/",
    // other blocked ranges
    "https://10.0.0.1/",
    "https://172.16.0.1/",
    "https://192.168.0.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://2852039166/latest/meta-data/",
    "https://[::ffff:a9fe:a9fe]/latest/meta-data/",
    "https://100.64.0.1/",
    "https://224.0.0.1/",
    "https://240.0.0.1/",
    "https://255.255.255.255/",
    "https://192.0.2.1/",
    "https://198.51.100.1/",
    "https://203.0.113.1/",
    "https://198.18.0.1/",
    "https://192.0.0.170/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[fd00:ec2::254]/latest/meta-data/",
    "https://[fec0::1]/",
    "https://[ff02::1]/",
    "https://[2001:db8::1]/",
    "https://[64:ff9b:1::a9fe:a9fe]/",
    "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    // hostnames resolving to blocked addresses (refused at connect time)
    "https://internal.test:{P4}/",
    "https://metadata.test/",
    "https://v6loop.test:{P6}/",
    "https://mapped.test:{P4}/",
    "https://mixed.test:{P4}/",
    "https://private.test/",
    "https://cgnat.test/",
    "https://ula.test/",
    "https://nat64.test:{P4}/",
    "https://sixtofour.test:{P4}/",
    "https://octal-answer.test:{P4}/",
    "https://zero.test:{P4}/",
  ];

  it("has at least 40 hostile URLs", () => {
    expect(hostile.length).toBeGreaterThanOrEqual(40);
  });

  it.each(hostile)("refuses %s", async (template) => {
    targets(""); // nothing allowlisted; the test CA is trusted so TLS would not be the reason
    const url = template.replaceAll("{P4}", String(trap4.port)).replaceAll("{P6}", String(trap6.port));
    const before = { v4: trap4.connections(), v6: trap6.connections(), bytes: trap4.bytes() + trap6.bytes() };
    const result = await send(url, { resolver, timeoutMs: 2_000 });
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("blocked");
    expect(result.status).toBeUndefined();
    // no trap received a connection for this URL
    expect({ v4: trap4.connections(), v6: trap6.connections(), bytes: trap4.bytes() + trap6.bytes() }).toEqual(before);
  });

  it("a trap counts the connection the client makes once its address is allowed (control for the check above)", async () => {
    for (const host of ["127.0.0.1", "::1"]) {
      const trap = await startTcpTrap(host);
      try {
        targets(host);
        const url = `https://${host.includes(":") ? `[${host}]` : host}:${trap.port}/`;
        const result = await send(url, { timeoutMs: 500 }); // a silent trap: the TLS handshake times out
        expect(result.ok).toBe(false);
        expect(result.error?.kind).not.toBe("blocked");
        expect(trap.connections()).toBeGreaterThanOrEqual(1);
        expect(trap.bytes()).toBeGreaterThan(0); // the ClientHello
      } finally {
        await trap.close();
      }
    }
  });
});

describe("SSRF: connect-time checks", () => {
  it("a blocked target receives no bytes (plain TCP server on 127.0.0.1, not allowlisted)", async () => {
    targets("receiver.test"); // something else is allowed; 127.0.0.1 is not
    const trap = await startTcpTrap("127.0.0.1");
    try {
      const resolver = fakeResolver({ "sneaky.test": "127.0.0.1" });
      const byName = await send(`https://sneaky.test:${trap.port}/`, { resolver });
      const byIp = await send(`https://127.0.0.1:${trap.port}/`, { resolver });
      expect(byName.error).toMatchObject({
        kind: "blocked",
        message: "sneaky.test resolves to a private or internal address",
      });
      // The category only: never the address a name resolved to (an internal DNS oracle).
      expect(byName.error?.message).not.toContain("127.0.0.1");
      expect(byIp.error?.kind).toBe("blocked");
      expect(resolver.calls).toEqual(["sneaky.test"]);
      expect(trap.connections()).toBe(0);
      expect(trap.bytes()).toBe(0);
    } finally {
      await trap.close();
    }
  });

  it("the dispatcher itself refuses IP literals and http:, even without URL validation", async () => {
    targets("");
    const dispatcher = getWebhookDispatcher(fakeResolver({}));
    for (const url of [
      `https://127.0.0.1:${trap4.port}/`,
      `https://[::1]:${trap6.port}/`,
      `http://127.0.0.1:${trap4.port}/`,
    ]) {
      const err = await request(url, { method: "POST", body: "x", dispatcher }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlockedTargetError);
    }
    const viaName = await request(`https://internal.test:${trap4.port}/`, {
      method: "POST",
      dispatcher: getWebhookDispatcher(fakeResolver({ "internal.test": "127.0.0.1" })),
    }).catch((e: unknown) => e);
    expect(viaName).toBeInstanceOf(BlockedTargetError);
    expect(trap4.connections()).toBe(0);
    expect(trap6.connections()).toBe(0);
  });

  it("DNS rebinding: validated public at first, private at connect time -> blocked", async () => {
    targets("");
    const resolver = fakeResolver({ "rebind.test": (n) => (n === 1 ? PUBLIC_V4 : "127.0.0.1") });
    // Creation-time check sees a public address...
    await expect(resolveAndCheck("rebind.test", resolver)).resolves.toEqual([{ address: PUBLIC_V4, family: 4 }]);
    // ...the connection re-resolves and refuses the private answer.
    const result = await send(`https://rebind.test:${trap4.port}/`, { resolver });
    expect(result.error).toMatchObject({
      kind: "blocked",
      message: "rebind.test resolves to a private or internal address",
    });
    expect(resolver.calls).toEqual(["rebind.test", "rebind.test"]);
    expect(trap4.connections()).toBe(0);
  });

  it("a redirect to a private address is not followed", async () => {
    targets("receiver.test");
    const resolver = fakeResolver({ "receiver.test": "127.0.0.1" });
    const before = receiver.requests.length;
    receiver.setHandler((_req, res) => {
      res.writeHead(302, { location: `https://127.0.0.1:${trap4.port}/admin` });
      res.end("moved");
    });
    const result = await send(receiver.urlFor("receiver.test"), { resolver });
    expect(result.ok).toBe(false);
    expect(result.status).toBe(302);
    expect(result.headers?.location).toBe(`https://127.0.0.1:${trap4.port}/admin`);
    expect(result.error).toMatchObject({ kind: "redirect", message: expect.stringMatching(/302.*not followed/) });
    expect(receiver.requests.length - before).toBe(1);
    expect(trap4.connections()).toBe(0);
  });
});

describe("sendWebhookRequest against a real HTTPS receiver", () => {
  const resolver = fakeResolver({
    "receiver.test": "127.0.0.1",
    "hooks.akol.test": "127.0.0.1",
    "other.test": "127.0.0.1",
    "wrong-name.test": "127.0.0.1",
  });

  it("delivers a POST with the exact body and headers (allowlisted by hostname, CA trusted)", async () => {
    targets("Receiver.Test");
    const before = receiver.requests.length;
    const body = JSON.stringify({ type: "call.ended", data: { id: "c_1", note: "héllo" } });
    const result = await sendWebhookRequest({
      url: receiver.urlFor("receiver.test", "/webhook?x=1"),
      body,
      headers: { "webhook-id": "msg_1", "webhook-signature": "v1,abc", Host: "evil.test", Connection: "close" },
      timeoutMs: 5_000,
      resolver,
    });
    expect(result).toMatchObject({ ok: true, status: 200, body: "ok", bodyTruncated: false });
    expect(result.error).toBeUndefined();
    expect(result.headers?.["content-type"]).toBe("text/plain");
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    const got = receiver.requests[before];
    expect(got?.method).toBe("POST");
    expect(got?.path).toBe("/webhook?x=1");
    expect(got?.body).toBe(body);
    expect(got?.headers["content-type"]).toBe("application/json");
    expect(got?.headers["webhook-id"]).toBe("msg_1");
    expect(got?.headers["webhook-signature"]).toBe("v1,abc");
    expect(got?.headers["user-agent"]).toMatch(/^Akol-Webhooks\//);
    expect(got?.headers.host).toBe(`receiver.test:${receiver.port}`);
  });

  it("reuses pooled connections, resolving once per new connection", async () => {
    targets("hooks.akol.test");
    const r = fakeResolver({ "hooks.akol.test": "127.0.0.1" });
    const conns = receiver.connections();
    for (let i = 0; i < 4; i++) {
      expect((await send(receiver.urlFor("hooks.akol.test"), { resolver: r })).ok).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 25)); // let the pool mark the socket idle
    }
    const opened = receiver.connections() - conns;
    expect(opened).toBeLessThan(4); // connections were reused...
    expect(r.calls).toHaveLength(opened); // ...and every new one was resolved and checked
  });

  it("allowlist by IP: the receiver's IP literal", async () => {
    targets("127.0.0.1");
    expect(await send(receiver.url)).toMatchObject({ ok: true, status: 200 });
    // The IP entry also covers names resolving to it.
    expect(await send(receiver.urlFor("hooks.akol.test"), { resolver })).toMatchObject({ ok: true });
  });

  it("allowlist by CIDR", async () => {
    targets("127.0.0.0/8, ::1/128");
    expect(await send(receiver.urlFor("hooks.akol.test"), { resolver })).toMatchObject({ ok: true });
    targets("10.0.0.0/8");
    expect((await send(receiver.urlFor("hooks.akol.test"), { resolver })).error?.kind).toBe("blocked");
  });

  it("allowlist by hostname exempts that host only", async () => {
    targets("receiver.test");
    expect((await send(receiver.urlFor("receiver.test"), { resolver })).ok).toBe(true);
    expect((await send(receiver.urlFor("other.test"), { resolver })).error?.kind).toBe("blocked");
    expect((await send(receiver.url)).error?.kind).toBe("blocked");
  });

  it("TLS failure when the CA is not trusted", async () => {
    targets("receiver.test", false);
    const result = await send(receiver.urlFor("receiver.test"), { resolver });
    expect(result.ok).toBe(false);
    expect(result.error?.kind).toBe("tls");
    expect(result.status).toBeUndefined();
  });

  it("TLS failure when the certificate does not name the host", async () => {
    targets("wrong-name.test");
    const result = await send(receiver.urlFor("wrong-name.test"), { resolver });
    expect(result.error).toMatchObject({
      kind: "tls",
      message: "TLS error: the endpoint's TLS certificate is not valid for this host",
    });
    // Never the certificate's SAN list (it would name the receiver's other hosts).
    expect(result.error?.message).not.toMatch(/altnames|DNS:|IP Address|127\.0\.0\.1|localhost/i);
  });

  it("non-2xx is a failed result without a transport error", async () => {
    targets("receiver.test");
    receiver.setHandler((_req, res) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end('{"error":"boom"}');
    });
    const result = await send(receiver.urlFor("receiver.test"), { resolver });
    expect(result).toMatchObject({ ok: false, status: 500, body: '{"error":"boom"}', bodyTruncated: false });
    expect(result.error).toBeUndefined();
  });

  it("timeout before headers", async () => {
    targets("receiver.test");
    receiver.setHandler(() => undefined); // never answers
    const result = await send(receiver.urlFor("receiver.test"), { resolver, timeoutMs: 400 });
    expect(result.error?.kind).toBe("timeout");
    expect(result.durationMs).toBeGreaterThanOrEqual(380);
    expect(result.durationMs).toBeLessThan(3_000);
  });

  it("timeout covers a stalled TCP/TLS handshake", async () => {
    targets("127.0.0.1");
    const silent = await startTcpTrap("127.0.0.1", "silent"); // accepts, never answers the ClientHello
    try {
      const result = await send(`https://127.0.0.1:${silent.port}/`, { timeoutMs: 400 });
      expect(result.error?.kind).toBe("timeout");
      expect(result.durationMs).toBeLessThan(2_000);
      expect(silent.connections()).toBe(1);
    } finally {
      await silent.close();
    }
  });

  it("timeout covers the body too", async () => {
    targets("receiver.test");
    receiver.setHandler((_req, res) => {
      res.writeHead(200);
      res.write("partial"); // then stalls
    });
    const result = await send(receiver.urlFor("receiver.test"), { resolver, timeoutMs: 400 });
    expect(result).toMatchObject({ ok: false, status: 200, error: { kind: "timeout" } });
  });

  it("connection refused", async () => {
    targets("127.0.0.1");
    const port = await closedPort();
    const result = await send(`https://127.0.0.1:${port}/`);
    expect(result.error?.kind).toBe("connection_refused");
  });

  it("connection reset during the handshake", async () => {
    targets("127.0.0.1");
    const rst = await startTcpTrap("127.0.0.1", "reset");
    try {
      const result = await send(`https://127.0.0.1:${rst.port}/`);
      expect(result.error?.kind).toBe("reset");
    } finally {
      await rst.close();
    }
  });

  it("connection closed by the receiver before answering", async () => {
    targets("receiver.test");
    receiver.setHandler((_req, _res, raw) => {
      raw.socket.destroy();
    });
    const result = await send(receiver.urlFor("receiver.test"), { resolver });
    expect(result.error?.kind).toBe("reset");
  });

  it("DNS failure", async () => {
    targets("");
    const result = await send("https://does-not-exist.test/", { resolver });
    expect(result.error).toMatchObject({ kind: "dns", message: expect.stringMatching(/ENOTFOUND/) });
  });

  it("truncates a large body at 16 KiB on a UTF-8 boundary", async () => {
    targets("receiver.test");
    receiver.setHandler((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end("a" + "é".repeat(50_000)); // 'é' is 2 bytes: byte 16384 falls mid-character
    });
    const result = await send(receiver.urlFor("receiver.test"), { resolver });
    expect(result.ok).toBe(true);
    expect(result.bodyTruncated).toBe(true);
    const bytes = Buffer.byteLength(result.body ?? "", "utf8");
    expect(bytes).toBeLessThanOrEqual(RESPONSE_BODY_LIMIT_BYTES);
    expect(bytes).toBeGreaterThan(RESPONSE_BODY_LIMIT_BYTES - 4);
    expect(result.body).not.toContain("\uFFFD");
  });

  it("stops reading an endless body instead of buffering it", async () => {
    targets("receiver.test");
    let written = 0;
    receiver.setHandler((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, "z");
      const pump = () => {
        while (!res.destroyed && written < 1024 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", pump);
        }
      };
      pump();
    });
    const result = await send(receiver.urlFor("receiver.test"), { resolver, timeoutMs: 10_000 });
    expect(result).toMatchObject({ ok: true, bodyTruncated: true });
    expect(result.body).toHaveLength(RESPONSE_BODY_LIMIT_BYTES);
    expect(result.durationMs).toBeLessThan(5_000);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it("a body of exactly 16 KiB is not truncated", async () => {
    targets("receiver.test");
    receiver.setHandler((_req, res) => {
      res.end("q".repeat(RESPONSE_BODY_LIMIT_BYTES));
    });
    const result = await send(receiver.urlFor("receiver.test"), { resolver });
    expect(result.bodyTruncated).toBe(false);
    expect(result.body).toHaveLength(RESPONSE_BODY_LIMIT_BYTES);
  });

  it("parses Retry-After from a 429 (seconds) and a 503 (HTTP date)", async () => {
    targets("receiver.test");
    receiver.setHandler((_req, res) => {
      res.writeHead(429, { "retry-after": "120" });
      res.end();
    });
    expect(await send(receiver.urlFor("receiver.test"), { resolver })).toMatchObject({
      ok: false,
      status: 429,
      retryAfterSeconds: 120,
    });
    const at = new Date(Date.now() + 90_000).toUTCString();
    receiver.setHandler((_req, res) => {
      res.writeHead(503, { "retry-after": at });
      res.end();
    });
    const r = await send(receiver.urlFor("receiver.test"), { resolver });
    expect(r.status).toBe(503);
    expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(85);
    expect(r.retryAfterSeconds).toBeLessThanOrEqual(90);
  });

  it("a caller abort stops the attempt", async () => {
    targets("receiver.test");
    receiver.setHandler(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await send(receiver.urlFor("receiver.test"), {
      resolver,
      signal: controller.signal,
      timeoutMs: 5_000,
    });
    expect(result.error).toMatchObject({ kind: "network", message: "Request aborted" });
  });
});

describe("parseRetryAfter", () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  it.each([
    ["0", 0],
    ["120", 120],
    [" 30 ", 30],
    ["Wed, 01 Jan 2025 12:01:30 GMT", 90],
    ["Wednesday, 01-Jan-25 12:00:10 GMT", 10],
    ["Wed Jan  1 12:00:05 2025", 5],
    ["Wed, 01 Jan 2025 11:00:00 GMT", 0],
    ["2025-01-01T12:00:07.000Z", 7], // RetryAfterError(Date) from the Inngest SDK
  ])("%j -> %d", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([
    undefined,
    null,
    "",
    "-5",
    "1.5",
    "soon",
    "Wed, 01 Jan 2025 12:01:30",
    "2025-01-01T12:00:07",
    "99999999999999999999",
  ])("%j -> undefined", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("trimPartialUtf8", () => {
  it("drops only an incomplete trailing sequence", () => {
    const euro = Buffer.from("a€", "utf8"); // 61 e2 82 ac
    expect(trimPartialUtf8(euro).toString()).toBe("a€");
    expect(trimPartialUtf8(euro.subarray(0, 3)).toString()).toBe("a");
    expect(trimPartialUtf8(euro.subarray(0, 2)).toString()).toBe("a");
    const emoji = Buffer.from("😀", "utf8");
    expect(trimPartialUtf8(emoji.subarray(0, 3))).toHaveLength(0);
    expect(trimPartialUtf8(Buffer.from("abc"))).toHaveLength(3);
  });
});
