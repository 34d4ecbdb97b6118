import { describe, expect, it } from "vitest";
import {
  BlockedTargetError,
  EMPTY_ALLOWLIST,
  InvalidHostError,
  TargetResolutionError,
  blockedReason,
  classifyAddress,
  ipFamily,
  isAddressAllowed,
  isHostAllowed,
  normalizeHost,
  parseAllowlist,
  resolveAndCheck,
  validateWebhookUrl,
  webhookUrlSchema,
} from "@/lib/outbound/ssrf";
import { fakeResolver } from "@/test/support/https-receiver";

describe("normalizeHost", () => {
  it.each([
    ["2130706433", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["0x7f.0.0.1", "127.0.0.1"],
    ["0x7F.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["127.0.1", "127.0.0.1"],
    ["0177.0x0.0.01", "127.0.0.1"],
    ["127.0.0.1.", "127.0.0.1"],
    ["%31%32%37.0.0.1", "127.0.0.1"],
    ["１２７.０.０.１", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["0xa9fea9fe", "169.254.169.254"],
    ["2852039166", "169.254.169.254"],
    ["0251.0376.0251.0376", "169.254.169.254"],
    ["[::1]", "::1"],
    ["0:0:0:0:0:0:0:1", "::1"],
    ["[::ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["::FFFF:7F00:1", "::ffff:7f00:1"],
    ["[0:0:0:0:0:ffff:127.0.0.1]", "::ffff:7f00:1"],
    ["::127.0.0.1", "::7f00:1"],
    ["fe80::1%eth0", "fe80::1"],
    ["[fe80::1%25eth0]", "fe80::1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["Example.COM.", "example.com"],
    ["bücher.example", "xn--bcher-kva.example"],
  ])("%s -> %s", (input, expected) => {
    expect(normalizeHost(input)).toBe(expected);
  });

  it.each(["", "1.2.3.4.5", "0x100000000", "4294967296", "a b", "evil.com/x", "user@host", "[::1", "::g", "09.1.1.1"])(
    "rejects %j",
    (input) => {
      expect(() => normalizeHost(input)).toThrow(InvalidHostError);
    },
  );

  it("ipFamily recognises literals in any notation", () => {
    expect(ipFamily("0x7f.1")).toBe(4);
    expect(ipFamily("[::ffff:127.0.0.1]")).toBe(6);
    expect(ipFamily("example.com")).toBe(0);
    expect(ipFamily("1.2.3.4.5")).toBe(0);
  });
});

describe("classifyAddress", () => {
  it.each([
    ["10.0.0.1", /private/],
    ["10.255.255.255", /private/],
    ["172.16.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.0.1", /private/],
    ["127.0.0.1", /loopback/],
    ["127.255.255.254", /loopback/],
    ["0x7f.1", /loopback/],
    ["169.254.169.254", /link-local.*metadata/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["100.127.255.255", /carrier-grade NAT/],
    ["0.0.0.0", /unspecified/],
    ["0.1.2.3", /unspecified/],
    ["224.0.0.1", /multicast/],
    ["239.255.255.250", /multicast/],
    ["240.0.0.1", /reserved/],
    ["255.255.255.255", /broadcast/],
    ["192.0.2.1", /documentation/],
    ["198.51.100.1", /documentation/],
    ["203.0.113.1", /documentation/],
    ["198.18.0.1", /benchmarking/],
    ["198.19.255.255", /benchmarking/],
    ["192.0.0.8", /IETF/],
    ["192.88.99.1", /6to4 relay/],
    ["::1", /loopback/],
    ["::", /unspecified/],
    ["fe80::1", /link-local/],
    ["febf::1", /link-local/],
    ["fec0::1", /site-local/],
    ["fc00::1", /unique local/],
    ["fd00:ec2::254", /unique local/],
    ["ff02::1", /multicast/],
    ["2001:db8::1", /documentation/],
    ["3fff::1", /documentation/],
    ["::ffff:127.0.0.1", /IPv4-mapped.*127\.0\.0\.1.*loopback/],
    ["::ffff:7f00:1", /IPv4-mapped/],
    ["::ffff:8.8.8.8", /IPv4-mapped/],
    ["::ffff:a9fe:a9fe", /IPv4-mapped.*169\.254\.169\.254/],
    ["::127.0.0.1", /IPv4-compatible/],
    ["::8.8.8.8", /IPv4-compatible/],
    ["::ffff:0:7f00:1", /IPv4-translated/],
    ["2002:7f00:1::", /6to4.*127\.0\.0\.1/],
    ["2002:a9fe:a9fe::1", /6to4.*169\.254\.169\.254/],
    ["2002:c0a8:101::", /6to4.*192\.168\.1\.1/],
    ["64:ff9b::7f00:1", /NAT64.*127\.0\.0\.1/],
    ["64:ff9b::10.0.0.1", /NAT64.*10\.0\.0\.1/],
    ["64:ff9b:1::a9fe:a9fe", /local-use NAT64/],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", /Teredo/],
    ["2001::1", /Teredo/],
    ["2001:2::1", /benchmarking/],
    ["2001:10::1", /IETF/],
    ["100::1", /discard/],
    ["5f00::1", /reserved/],
    ["4000::1", /reserved/],
    ["not-an-ip", /not a valid IP/],
  ])("%s is blocked (%s)", (ip, reason) => {
    expect(classifyAddress(ip)).toMatch(reason);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.15.255.255",
    "172.32.0.1",
    "100.63.255.255",
    "100.128.0.1",
    "192.169.0.1",
    "198.20.0.1",
    "223.255.255.255",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450:4001::1",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("%s is public", (ip) => {
    expect(classifyAddress(ip)).toBeNull();
  });
});

describe("allowlist", () => {
  const list = parseAllowlist(
    "Receiver.TEST., 127.0.0.1, 10.20.0.0/16 ,fd00:1::/32 ::1  bad/99,*.wild.test,300.1.1.1/8",
  );

  it("parses hostnames, IPs and CIDRs and reports invalid entries", () => {
    expect([...list.hosts]).toEqual(["receiver.test"]);
    expect(list.networks).toEqual(["127.0.0.1/32", "10.20.0.0/16", "fd00:1::/32", "::1/128"]);
    expect(list.invalid).toEqual(["bad/99", "*.wild.test", "300.1.1.1/8"]);
  });

  it("matches hostnames exactly and case-insensitively", () => {
    expect(isHostAllowed("receiver.test", list)).toBe(true);
    expect(isHostAllowed("RECEIVER.test.", list)).toBe(true);
    expect(isHostAllowed("sub.receiver.test", list)).toBe(false);
    expect(isHostAllowed("receiver.test.evil.com", list)).toBe(false);
  });

  it("matches IPs and CIDRs, per family", () => {
    expect(isAddressAllowed("127.0.0.1", list)).toBe(true);
    expect(isAddressAllowed("0x7f.1", list)).toBe(true);
    expect(isAddressAllowed("127.0.0.2", list)).toBe(false);
    expect(isAddressAllowed("10.20.255.1", list)).toBe(true);
    expect(isAddressAllowed("10.21.0.1", list)).toBe(false);
    expect(isAddressAllowed("fd00:1:ffff::5", list)).toBe(true);
    expect(isAddressAllowed("fd00:2::5", list)).toBe(false);
    expect(isAddressAllowed("::1", list)).toBe(true);
    // An IPv4 entry does not exempt the IPv4-mapped IPv6 form.
    expect(isAddressAllowed("::ffff:127.0.0.1", list)).toBe(false);
    expect(blockedReason("127.0.0.1", list)).toBeNull();
    expect(blockedReason("127.0.0.2", list)).toMatch(/loopback/);
  });

  it("an empty setting allows nothing", () => {
    const empty = parseAllowlist("");
    expect(empty.hosts.size).toBe(0);
    expect(empty.networks).toEqual([]);
  });
});

describe("validateWebhookUrl", () => {
  const long = `https://example.com/${"a".repeat(2100)}`;
  const hostile: Array<[string, RegExp]> = [
    ["http://example.com/hook", /https/],
    ["http://127.0.0.1/", /https/],
    ["ftp://example.com/", /https/],
    ["file:///etc/passwd", /https/],
    ["gopher://127.0.0.1:6379/_INFO", /https/],
    ["javascript:alert(1)", /https/],
    ["data:text/plain,hi", /https/],
    ["//example.com/hook", /absolute URL/],
    ["example.com/hook", /absolute URL/],
    ["", /required/],
    ["https://user:pass@example.com/", /credentials/],
    ["https://user@example.com/", /credentials/],
    ["https://:secret@example.com/", /credentials/],
    ["https://127.0.0.1:80@evil.test/", /credentials/],
    [long, /2048/],
    ["https://exa mple.com/", /spaces or control/],
    ["https://example.com/\nx", /spaces or control/],
    ["https://127.0.0.1/", /loopback/],
    ["https://2130706433/", /127\.0\.0\.1.*loopback/],
    ["https://0177.0.0.1/", /loopback/],
    ["https://0x7f.0.0.1/", /loopback/],
    ["https://127.1/", /loopback/],
    ["https://0x7f.1:8443/x", /loopback/],
    ["https://127.0.0.1./", /loopback/],
    ["https://%31%32%37.0.0.1/", /loopback/],
    ["https://0/", /unspecified/],
    ["https://0.0.0.0/", /unspecified/],
    ["https://10.0.0.1/", /private/],
    ["https://172.16.0.1/", /private/],
    ["https://192.168.1.1/", /private/],
    ["https://169.254.169.254/latest/meta-data/", /link-local/],
    ["https://2852039166/", /169\.254\.169\.254/],
    ["https://0xa9fea9fe/", /169\.254\.169\.254/],
    ["https://100.64.0.1/", /carrier-grade/],
    ["https://224.0.0.1/", /multicast/],
    ["https://240.0.0.1/", /reserved/],
    ["https://255.255.255.255/", /broadcast/],
    ["https://192.0.2.1/", /documentation/],
    ["https://198.51.100.1/", /documentation/],
    ["https://203.0.113.1/", /documentation/],
    ["https://198.18.0.1/", /benchmarking/],
    ["https://192.0.0.1/", /IETF/],
    ["https://[::1]/", /loopback/],
    ["https://[0:0:0:0:0:0:0:1]/", /loopback/],
    ["https://[::]/", /unspecified/],
    ["https://[::ffff:127.0.0.1]/", /IPv4-mapped/],
    ["https://[::ffff:7f00:1]/", /IPv4-mapped/],
    ["https://[::ffff:169.254.169.254]/", /IPv4-mapped/],
    ["https://[::127.0.0.1]/", /IPv4-compatible/],
    ["https://[fe80::1]/", /link-local/],
    ["https://[fe80::1%25eth0]/", /valid absolute URL/],
    ["https://[fc00::1]/", /unique local/],
    ["https://[fd00:ec2::254]/", /unique local/],
    ["https://[fec0::1]/", /site-local/],
    ["https://[ff02::1]/", /multicast/],
    ["https://[2001:db8::1]/", /documentation/],
    ["https://[2002:7f00:1::]/", /6to4/],
    ["https://[64:ff9b::a9fe:a9fe]/", /NAT64/],
    ["https://[64:ff9b:1::1]/", /NAT64/],
    ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", /Teredo/],
    ["https://localhost/", /localhost/],
    ["https://LOCALHOST.:3000/", /localhost/],
    ["https://api.localhost/", /localhost/],
  ];

  it("covers at least 40 hostile URLs", () => {
    expect(hostile.length).toBeGreaterThanOrEqual(40);
  });

  it.each(hostile)("rejects %s", (raw, message) => {
    const result = validateWebhookUrl(raw, EMPTY_ALLOWLIST);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it.each([
    "https://example.com/webhooks",
    "https://hooks.example.com:8443/a/b?c=d",
    "https://93.184.216.34/hook",
    "https://[2606:4700:4700::1111]/hook",
    "https://bücher.example/",
    // Hostnames are not resolved here; their addresses are checked at connect time.
    "https://internal.example.com/",
  ])("accepts %s", (raw) => {
    expect(validateWebhookUrl(raw, EMPTY_ALLOWLIST)).toMatchObject({ ok: true });
  });

  it("accepts a URL of exactly 2048 characters", () => {
    const base = "https://example.com/";
    expect(validateWebhookUrl(base + "a".repeat(2048 - base.length), EMPTY_ALLOWLIST).ok).toBe(true);
    expect(validateWebhookUrl(base + "a".repeat(2049 - base.length), EMPTY_ALLOWLIST).ok).toBe(false);
  });

  it("lets the allowlist exempt IP literals and named hosts", () => {
    const list = parseAllowlist("127.0.0.1,localhost,10.0.0.0/8");
    expect(validateWebhookUrl("https://127.0.0.1:9000/", list).ok).toBe(true);
    expect(validateWebhookUrl("https://0x7f.1:9000/", list).ok).toBe(true);
    expect(validateWebhookUrl("https://10.9.8.7/", list).ok).toBe(true);
    expect(validateWebhookUrl("https://localhost:9000/", list).ok).toBe(true);
    expect(validateWebhookUrl("https://127.0.0.2/", list).ok).toBe(false);
    // The allowlist never relaxes the syntax rules.
    expect(validateWebhookUrl("http://127.0.0.1/", list).ok).toBe(false);
    expect(validateWebhookUrl("https://a:b@127.0.0.1/", list).ok).toBe(false);
  });

  it("is usable as a zod schema with the same messages", () => {
    expect(webhookUrlSchema.safeParse("  https://example.com/hook ").success).toBe(true);
    const bad = webhookUrlSchema.safeParse("http://example.com/");
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/https/);
  });
});

describe("resolveAndCheck", () => {
  const resolver = fakeResolver({
    "public.test": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "dup.test": ["93.184.216.34", "93.184.216.34"],
    "private.test": "10.0.0.5",
    "loopback.test": "127.0.0.1",
    "metadata.test": "169.254.169.254",
    "v6loop.test": "::1",
    "mapped.test": "::ffff:127.0.0.1",
    "ula.test": "fd12:3456::1",
    "nat64.test": "64:ff9b::a9fe:a9fe",
    "mixed.test": ["93.184.216.34", "10.0.0.1"],
    "mixed6.test": ["93.184.216.34", "fe80::1"],
    "odd.test": "0x7f.1",
    "garbage.test": "not-an-address",
    "empty.test": [],
    "receiver.test": "127.0.0.1",
    "cidr.test": ["10.20.1.1", "10.20.2.2"],
    "partly.test": ["10.20.1.1", "10.99.0.1"],
  });

  it("returns every validated address of a public host", async () => {
    await expect(resolveAndCheck("PUBLIC.test", resolver, EMPTY_ALLOWLIST)).resolves.toEqual([
      { address: "93.184.216.34", family: 4 },
      { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
    ]);
    await expect(resolveAndCheck("dup.test", resolver, EMPTY_ALLOWLIST)).resolves.toHaveLength(1);
  });

  it.each([
    ["private.test", /10\.0\.0\.5.*private/],
    ["loopback.test", /loopback/],
    ["metadata.test", /link-local/],
    ["v6loop.test", /loopback/],
    ["mapped.test", /IPv4-mapped/],
    ["ula.test", /unique local/],
    ["nat64.test", /NAT64/],
    ["mixed.test", /10\.0\.0\.1/],
    ["mixed6.test", /link-local/],
    ["odd.test", /127\.0\.0\.1.*loopback/],
    ["garbage.test", /invalid address/],
  ])("blocks %s", async (host, expected) => {
    const err = await resolveAndCheck(host, resolver, EMPTY_ALLOWLIST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlockedTargetError);
    const blocked = err as BlockedTargetError;
    // The address and exact reason are kept for logs; the message users see names the category only.
    expect(`${blocked.message} [${blocked.address ?? ""}, ${blocked.reason ?? ""}]`).toMatch(expected);
    if (host !== "garbage.test") {
      expect(blocked.message).toBe(`${host} resolves to a private or internal address`);
      expect(blocked.message).not.toContain(blocked.address);
    }
    expect(blocked.code).toBe("ERR_WEBHOOK_TARGET_BLOCKED");
  });

  it("checks IP literals without calling the resolver", async () => {
    const r = fakeResolver({});
    await expect(resolveAndCheck("0x7f.1", r, EMPTY_ALLOWLIST)).rejects.toThrow(/loopback/);
    await expect(resolveAndCheck("[::ffff:a9fe:a9fe]", r, EMPTY_ALLOWLIST)).rejects.toThrow(BlockedTargetError);
    await expect(resolveAndCheck("93.184.216.34", r, EMPTY_ALLOWLIST)).resolves.toEqual([
      { address: "93.184.216.34", family: 4 },
    ]);
    expect(r.calls).toEqual([]);
  });

  it("refuses localhost names without resolving them", async () => {
    const r = fakeResolver({ localhost: "127.0.0.1" });
    await expect(resolveAndCheck("localhost", r, EMPTY_ALLOWLIST)).rejects.toThrow(BlockedTargetError);
    await expect(resolveAndCheck("a.localhost", r, EMPTY_ALLOWLIST)).rejects.toThrow(BlockedTargetError);
    expect(r.calls).toEqual([]);
  });

  it("reports resolution failures as TargetResolutionError", async () => {
    const err = await resolveAndCheck("nowhere.test", resolver, EMPTY_ALLOWLIST).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetResolutionError);
    expect((err as TargetResolutionError).code).toBe("ENOTFOUND");
    await expect(resolveAndCheck("empty.test", resolver, EMPTY_ALLOWLIST)).rejects.toBeInstanceOf(
      TargetResolutionError,
    );
  });

  it("re-checks on every call: a rebinding answer is refused", async () => {
    const rebinding = fakeResolver({ "rebind.test": (n) => (n === 1 ? "93.184.216.34" : "127.0.0.1") });
    await expect(resolveAndCheck("rebind.test", rebinding, EMPTY_ALLOWLIST)).resolves.toHaveLength(1);
    await expect(resolveAndCheck("rebind.test", rebinding, EMPTY_ALLOWLIST)).rejects.toMatchObject({
      reason: expect.stringMatching(/loopback/),
    });
  });

  it("a hostname on the allowlist is exempt, other names on the same address are not", async () => {
    const list = parseAllowlist("receiver.test");
    await expect(resolveAndCheck("receiver.test", resolver, list)).resolves.toEqual([
      { address: "127.0.0.1", family: 4 },
    ]);
    await expect(resolveAndCheck("loopback.test", resolver, list)).rejects.toThrow(BlockedTargetError);
  });

  it("IP and CIDR entries exempt those addresses only", async () => {
    const list = parseAllowlist("127.0.0.1, 10.20.0.0/16");
    await expect(resolveAndCheck("loopback.test", resolver, list)).resolves.toHaveLength(1);
    await expect(resolveAndCheck("cidr.test", resolver, list)).resolves.toHaveLength(2);
    await expect(resolveAndCheck("partly.test", resolver, list)).rejects.toMatchObject({ address: "10.99.0.1" });
    await expect(resolveAndCheck("private.test", resolver, list)).rejects.toThrow(BlockedTargetError);
    const v6 = parseAllowlist("fd12::/16");
    await expect(resolveAndCheck("ula.test", resolver, v6)).resolves.toEqual([{ address: "fd12:3456::1", family: 6 }]);
  });
});
