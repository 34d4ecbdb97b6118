import { lookup as dnsLookup } from "node:dns/promises";
import { isIP, isIPv6 } from "node:net";
import { z } from "zod";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { effectivePort, isLocalReceiverTarget, localTargetHint } from "@/lib/outbound/local-receiver";

/**
 * SSRF policy for webhook targets: which hosts and addresses the delivery
 * client may connect to.
 *
 * Two gates use it:
 *  - validateWebhookUrl(): syntax at the API boundary (https only, no
 *    credentials, length, and IP-literal hosts checked directly);
 *  - resolveAndCheck(): at connect time, for every new connection, all the
 *    addresses a hostname resolves to are checked and only those are dialled
 *    (lib/outbound/http-client.ts pins them), so DNS rebinding between
 *    validation and connect cannot slip through.
 *
 * WEBHOOK_ALLOWED_TARGETS (comma-separated hostnames, IPs or CIDRs) is the
 * only configurable exemption: a hostname entry exempts that exact host
 * (whatever it resolves to), an IP/CIDR entry exempts those addresses.
 * In development only (NODE_ENV=development), exactly the local receiver's
 * https://127.0.0.1:<port>/ is let through too (lib/outbound/local-receiver.ts).
 */

export const MAX_WEBHOOK_URL_LENGTH = 2048;

// ---------------------------------------------------------------------------
// Errors

/**
 * A target refused by policy. `code` survives net/tls/undici error plumbing.
 * The message says the category only (it reaches users): the address a name
 * resolved to and the exact reason stay in `address` and `reason`, for logs.
 */
export class BlockedTargetError extends Error {
  override name = "BlockedTargetError";
  readonly code = "ERR_WEBHOOK_TARGET_BLOCKED";
  constructor(
    message: string,
    readonly host: string,
    readonly address?: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** The resolver failed or returned nothing. `code` is the resolver's (e.g. ENOTFOUND). */
export class TargetResolutionError extends Error {
  override name = "TargetResolutionError";
  readonly code: string;
  constructor(
    readonly host: string,
    cause?: unknown,
  ) {
    const code = errorCode(cause) ?? "ENOTFOUND";
    super(`DNS lookup of ${host} failed (${code})`, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}

export class InvalidHostError extends Error {
  override name = "InvalidHostError";
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err && typeof err.code === "string") return err.code;
  return undefined;
}

// ---------------------------------------------------------------------------
// Host normalisation

/** Characters that cannot appear in a host on its own (they would change how a URL parses). */
const NOT_IN_HOST = /[\s\u0000-\u001f\u007f/\\?#@[\]]/;

function canonicalIPv6(addr: string): string {
  // The WHATWG serialiser: lowercase, longest zero run compressed, no dotted tail.
  const h = new URL(`http://[${addr}]/`).hostname;
  return h.slice(1, -1);
}

/**
 * Canonical form of a host: IPv4 literals in any notation the WHATWG URL
 * parser accepts (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.1`,
 * short `127.1`, mixed, full-width digits, percent-encoded) become dotted
 * quads; IPv6 literals (with or without brackets, with a zone id, with a
 * dotted IPv4 tail) become the compressed lowercase form without brackets
 * and without the zone id; domain names become lowercase ASCII (punycode)
 * without a trailing dot. Throws InvalidHostError when the host is invalid.
 */
export function normalizeHost(host: string): string {
  let h = host;
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  if (h.includes(":")) {
    const zone = h.indexOf("%");
    const addr = zone >= 0 ? h.slice(0, zone) : h;
    if (!isIPv6(addr)) throw new InvalidHostError(`"${host}" is not a valid host`);
    return canonicalIPv6(addr);
  }
  if (h === "" || NOT_IN_HOST.test(h)) throw new InvalidHostError(`"${host}" is not a valid host`);
  let hostname: string;
  try {
    hostname = new URL(`https://${h}/`).hostname;
  } catch {
    throw new InvalidHostError(`"${host}" is not a valid host`);
  }
  if (hostname.endsWith(".")) hostname = hostname.slice(0, -1);
  if (hostname === "" || hostname.startsWith("[")) throw new InvalidHostError(`"${host}" is not a valid host`);
  return hostname;
}

/** 4 or 6 for an IP literal in any notation, 0 for a domain name or an invalid host. */
export function ipFamily(host: string): 0 | 4 | 6 {
  try {
    const n = isIP(normalizeHost(host));
    return n === 4 || n === 6 ? n : 0;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------
// Address arithmetic

type Ip = { family: 4 | 6; value: bigint };

function parseV4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | null {
  if (!isIPv6(s)) return null;
  let text = s;
  // A dotted IPv4 tail ("::ffff:1.2.3.4") becomes two hex groups.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseV4(tail);
    if (v4 === null) return null;
    text = `${text.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const toGroups = (part: string | undefined): number[] =>
    part === undefined || part === ""
      ? []
      : part.split(":").map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : -1));
  const head = toGroups(halves[0]);
  const rest = toGroups(halves[1]);
  const groups =
    halves.length === 2
      ? [...head, ...new Array<number>(Math.max(0, 8 - head.length - rest.length)).fill(0), ...rest]
      : head;
  if (groups.length !== 8 || groups.some((g) => g < 0)) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

function parseIp(text: string): Ip | null {
  let n: string;
  try {
    n = normalizeHost(text);
  } catch {
    return null;
  }
  const family = isIP(n);
  if (family === 4) {
    const v = parseV4(n);
    return v === null ? null : { family: 4, value: v };
  }
  if (family === 6) {
    const v = parseV6(n);
    return v === null ? null : { family: 6, value: v };
  }
  return null;
}

function v4ToString(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join(".");
}

/** A parsed IP network (an IP is a /32 or /128). */
export type IpNetwork = { family: 4 | 6; base: bigint; prefix: number; text: string };

function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseCidr(text: string): IpNetwork | null {
  const slash = text.indexOf("/");
  const addrText = slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(addrText);
  if (!ip) return null;
  const bits = bitsOf(ip.family);
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > bits) return null;
  }
  const shift = BigInt(bits - prefix);
  const base = (ip.value >> shift) << shift;
  return {
    family: ip.family,
    base,
    prefix,
    text: `${ip.family === 4 ? v4ToString(base) : canonicalIPv6(v6ToString(base))}/${prefix}`,
  };
}

function v6ToString(v: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  return groups.join(":");
}

function inNetwork(ip: Ip, net: IpNetwork): boolean {
  if (ip.family !== net.family) return false;
  const shift = BigInt(bitsOf(net.family) - net.prefix);
  return ip.value >> shift === net.base >> shift;
}

function mustCidr(text: string): IpNetwork {
  const n = parseCidr(text);
  if (!n) throw new Error(`bad built-in CIDR ${text}`);
  return n;
}

// ---------------------------------------------------------------------------
// Classification

const V4_BLOCKED: ReadonlyArray<[IpNetwork, string]> = (
  [
    ["0.0.0.0/8", 'an unspecified ("this network") address'],
    ["10.0.0.0/8", "a private address"],
    ["100.64.0.0/10", "a carrier-grade NAT (shared) address"],
    ["127.0.0.0/8", "a loopback address"],
    ["169.254.0.0/16", "a link-local address", "cloud metadata endpoints live here"],
    ["172.16.0.0/12", "a private address"],
    ["192.0.0.0/24", "an IETF protocol assignment address"],
    ["192.0.2.0/24", "a documentation address", "TEST-NET-1"],
    ["192.88.99.0/24", "a 6to4 relay anycast address"],
    ["192.168.0.0/16", "a private address"],
    ["198.18.0.0/15", "a benchmarking address"],
    ["198.51.100.0/24", "a documentation address", "TEST-NET-2"],
    ["203.0.113.0/24", "a documentation address", "TEST-NET-3"],
    ["224.0.0.0/4", "a multicast address"],
    ["255.255.255.255/32", "the broadcast address"],
    ["240.0.0.0/4", "a reserved address"],
  ] satisfies Array<[string, string, string?]>
).map(([cidr, reason, note]) => [mustCidr(cidr), `${reason} (${cidr}${note ? `, ${note}` : ""})`]);

function classifyV4(value: bigint): string | null {
  const ip: Ip = { family: 4, value };
  for (const [net, reason] of V4_BLOCKED) {
    if (inNetwork(ip, net)) return reason;
  }
  return null;
}

const net6 = (cidr: string) => mustCidr(cidr);
const V6 = {
  unspecified: net6("::/128"),
  loopback: net6("::1/128"),
  mapped: net6("::ffff:0:0/96"),
  nat64: net6("64:ff9b::/96"),
  nat64Local: net6("64:ff9b:1::/48"),
  sixToFour: net6("2002::/16"),
  compatible: net6("::/96"),
  translated: net6("::ffff:0:0:0/96"),
  discard: net6("100::/64"),
  teredo: net6("2001::/32"),
  benchmarking: net6("2001:2::/48"),
  documentation: net6("2001:db8::/32"),
  documentation2: net6("3fff::/20"),
  ietf: net6("2001::/23"),
  ula: net6("fc00::/7"),
  linkLocal: net6("fe80::/10"),
  siteLocal: net6("fec0::/10"),
  multicast: net6("ff00::/8"),
  globalUnicast: net6("2000::/3"),
};

function classifyV6(value: bigint): string | null {
  const ip: Ip = { family: 6, value };
  const is = (n: IpNetwork) => inNetwork(ip, n);
  const low32 = value & 0xffffffffn;
  const embedded = (v4: bigint) => {
    const r = classifyV4(v4);
    return r ? `; it embeds ${v4ToString(v4)}, ${r}` : "";
  };
  if (is(V6.unspecified)) return "the unspecified address (::)";
  if (is(V6.loopback)) return "the loopback address (::1)";
  if (is(V6.mapped)) return `an IPv4-mapped IPv6 address (::ffff:0:0/96)${embedded(low32)}`;
  if (is(V6.nat64)) {
    const r = classifyV4(low32);
    return r ? `a NAT64 address (64:ff9b::/96) embedding ${v4ToString(low32)}, ${r}` : null;
  }
  if (is(V6.nat64Local)) return "a local-use NAT64 address (64:ff9b:1::/48), not globally reachable";
  if (is(V6.sixToFour)) {
    const v4 = (value >> 80n) & 0xffffffffn;
    const r = classifyV4(v4);
    return r ? `a 6to4 address (2002::/16) embedding ${v4ToString(v4)}, ${r}` : null;
  }
  if (is(V6.compatible)) return `an IPv4-compatible IPv6 address (::/96, deprecated)${embedded(low32)}`;
  if (is(V6.translated)) return `an IPv4-translated IPv6 address (::ffff:0:0:0/96)${embedded(low32)}`;
  if (is(V6.discard)) return "a discard-only address (100::/64)";
  if (is(V6.teredo)) {
    const client = ~low32 & 0xffffffffn;
    return `a Teredo tunnel address (2001::/32)${embedded(client)}`;
  }
  if (is(V6.benchmarking)) return "a benchmarking address (2001:2::/48)";
  if (is(V6.documentation)) return "a documentation address (2001:db8::/32)";
  if (is(V6.documentation2)) return "a documentation address (3fff::/20)";
  if (is(V6.ietf)) return "an IETF protocol assignment address (2001::/23)";
  if (is(V6.ula)) return "a unique local (private) address (fc00::/7)";
  if (is(V6.linkLocal)) return "a link-local address (fe80::/10)";
  if (is(V6.siteLocal)) return "a site-local address (fec0::/10, deprecated)";
  if (is(V6.multicast)) return "a multicast address (ff00::/8)";
  if (!is(V6.globalUnicast)) return "a reserved address (outside global unicast 2000::/3)";
  return null;
}

/**
 * null when `ip` is a public address; otherwise why it is blocked (e.g.
 * "a loopback address (127.0.0.0/8)"). Anything that is not an IP address
 * (in any notation normalizeHost accepts) is blocked too.
 * The allowlist is not consulted here; see blockedReason().
 */
export function classifyAddress(ip: string): string | null {
  const parsed = parseIp(ip);
  if (!parsed) return "not a valid IP address";
  return parsed.family === 4 ? classifyV4(parsed.value) : classifyV6(parsed.value);
}

// ---------------------------------------------------------------------------
// Allowlist

export interface Allowlist {
  /** Normalised hostnames, exact match. */
  readonly hosts: ReadonlySet<string>;
  /** IPs (as /32 or /128) and CIDRs, canonical text e.g. "10.0.0.0/8". */
  readonly networks: readonly string[];
  /** Entries that could not be parsed (ignored: fail closed). */
  readonly invalid: readonly string[];
  /** @internal parsed networks */
  readonly parsed: readonly IpNetwork[];
}

export const EMPTY_ALLOWLIST: Allowlist = Object.freeze({
  hosts: new Set<string>(),
  networks: [],
  invalid: [],
  parsed: [],
});

/**
 * Parse WEBHOOK_ALLOWED_TARGETS: comma- (or whitespace-) separated hostnames,
 * IP addresses and CIDRs (IPv4 and IPv6). Hostnames match exactly and
 * case-insensitively (no wildcards). Invalid entries are reported in
 * `invalid` and otherwise ignored.
 */
export function parseAllowlist(raw: string): Allowlist {
  const hosts = new Set<string>();
  const parsed: IpNetwork[] = [];
  const invalid: string[] = [];
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    if (entry.includes("/")) {
      const n = parseCidr(entry);
      if (n) parsed.push(n);
      else invalid.push(entry);
      continue;
    }
    let host: string;
    try {
      host = normalizeHost(entry);
    } catch {
      invalid.push(entry);
      continue;
    }
    if (isIP(host)) {
      const n = parseCidr(host);
      if (n) parsed.push(n);
      else invalid.push(entry);
    } else if (host.includes("*")) {
      invalid.push(entry);
    } else {
      hosts.add(host);
    }
  }
  return { hosts, networks: parsed.map((n) => n.text), invalid, parsed };
}

let allowlistCache: { raw: string; list: Allowlist } | undefined;

/** The allowlist from WEBHOOK_ALLOWED_TARGETS (re-parsed when the setting changes). */
export function configuredAllowlist(): Allowlist {
  const raw = env().WEBHOOK_ALLOWED_TARGETS;
  if (allowlistCache?.raw !== raw) {
    const list = parseAllowlist(raw);
    if (list.invalid.length > 0) {
      log.warn("WEBHOOK_ALLOWED_TARGETS has invalid entries; they are ignored", { invalid: list.invalid });
    }
    allowlistCache = { raw, list };
  }
  return allowlistCache.list;
}

/** True when the (normalised) hostname is listed by name. */
export function isHostAllowed(host: string, allowlist: Allowlist = configuredAllowlist()): boolean {
  try {
    return allowlist.hosts.has(normalizeHost(host));
  } catch {
    return false;
  }
}

/** True when the address falls in a listed IP or CIDR. */
export function isAddressAllowed(ip: string, allowlist: Allowlist = configuredAllowlist()): boolean {
  const parsed = parseIp(ip);
  return parsed !== null && allowlist.parsed.some((n) => inNetwork(parsed, n));
}

/** classifyAddress() with the allowlist applied: null when the address may be dialled. */
export function blockedReason(ip: string, allowlist: Allowlist = configuredAllowlist()): string | null {
  const reason = classifyAddress(ip);
  if (reason === null || isAddressAllowed(ip, allowlist)) return null;
  return reason;
}

function isLocalhostName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

// ---------------------------------------------------------------------------
// URL validation (syntax; used by zod)

export type UrlValidation = { ok: true; url: URL } | { ok: false; message: string };

/**
 * Syntactic validation of a webhook URL. Requires an absolute https:// URL of
 * at most 2048 characters with a host and no credentials; a host that is an
 * IP literal (any notation) must be public (or allowlisted), and `localhost`
 * is refused unless allowlisted by name. Hostnames are NOT resolved here:
 * their addresses are checked at connect time (resolveAndCheck).
 */
export function validateWebhookUrl(raw: string, allowlist?: Allowlist): UrlValidation {
  const fail = (message: string): UrlValidation => ({ ok: false, message });
  if (typeof raw !== "string" || raw.length === 0) return fail("URL is required");
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return fail(`URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  if (/[\s\u0000-\u001f\u007f]/.test(raw)) return fail("URL must not contain spaces or control characters");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail("URL must be a valid absolute URL (https://…)");
  }
  if (url.protocol !== "https:") return fail(`URL must use https:// (got ${url.protocol}//)`);
  if (url.username !== "" || url.password !== "") return fail("URL must not contain credentials (user:password@)");
  if (url.hostname === "") return fail("URL must have a host");
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) return fail(`URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);
  let host: string;
  try {
    host = normalizeHost(url.hostname);
  } catch {
    return fail(`URL host "${url.hostname}" is not valid`);
  }
  const list = allowlist ?? configuredAllowlist();
  if (isIP(host)) {
    const reason = blockedReason(host, list);
    if (reason && !isLocalReceiverTarget(host, effectivePort(url))) {
      return fail(`URL points to ${host}, ${reason}; webhooks can only target public addresses${localTargetHint()}`);
    }
  } else if (isLocalhostName(host) && !list.hosts.has(host)) {
    return fail(`URL must not point to ${host}; webhooks can only target public addresses${localTargetHint()}`);
  }
  return { ok: true, url };
}

/** zod schema for a webhook URL field (trimmed; messages from validateWebhookUrl). */
export const webhookUrlSchema = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    const result = validateWebhookUrl(value);
    if (!result.ok) ctx.addIssue({ code: "custom", message: result.message });
  })
  // Stored and shown as parsed (WHATWG `url.href`): `https://%31%32%37.0.0.1/` or `https:/\host` read back as the
  // host we actually connect to, never as typed.
  .transform((value) => new URL(value).href);

// ---------------------------------------------------------------------------
// Resolution (connect time)

export type ResolvedAddress = { address: string; family: 4 | 6 };

/** Resolves a hostname to all its addresses (A and AAAA). Inject a fake one in tests. */
export type Resolver = (hostname: string) => Promise<ReadonlyArray<{ address: string; family?: number }>>;

/** The system resolver: getaddrinfo via dns.promises.lookup, all addresses, in resolver order. */
export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Resolve `hostname` and check every address. Rejects with BlockedTargetError
 * if ANY address is blocked (and not allowlisted), unless the hostname itself
 * is allowlisted; with TargetResolutionError when resolution fails or yields
 * nothing. An IP literal is checked directly without calling the resolver.
 * Returns the validated, de-duplicated addresses in resolver order: the only
 * addresses a connection may then be made to.
 */
export async function resolveAndCheck(
  hostname: string,
  resolver: Resolver = systemResolver,
  allowlist: Allowlist = configuredAllowlist(),
): Promise<ResolvedAddress[]> {
  let host: string;
  try {
    host = normalizeHost(hostname);
  } catch {
    throw new BlockedTargetError(`"${hostname}" is not a valid host`, hostname);
  }
  const literal = isIP(host);
  if (literal === 4 || literal === 6) {
    const reason = blockedReason(host, allowlist);
    if (reason) throw new BlockedTargetError(`${host} is ${reason}`, host, host);
    return [{ address: host, family: literal }];
  }
  const hostAllowed = allowlist.hosts.has(host);
  if (isLocalhostName(host) && !hostAllowed) {
    throw new BlockedTargetError(`${host} is a loopback name`, host);
  }
  let records: ReadonlyArray<{ address: string; family?: number }>;
  try {
    records = await resolver(host);
  } catch (err) {
    throw new TargetResolutionError(host, err);
  }
  const out: ResolvedAddress[] = [];
  const seen = new Set<string>();
  for (const record of records) {
    let address: string;
    try {
      address = normalizeHost(record.address);
    } catch {
      throw new BlockedTargetError(`${host} resolved to an invalid address`, host);
    }
    const family = isIP(address);
    if (family !== 4 && family !== 6) {
      throw new BlockedTargetError(`${host} resolved to an invalid address`, host);
    }
    if (!hostAllowed) {
      const reason = blockedReason(address, allowlist);
      if (reason)
        throw new BlockedTargetError(`${host} resolves to a private or internal address`, host, address, reason);
    }
    if (!seen.has(address)) {
      seen.add(address);
      out.push({ address, family });
    }
  }
  if (out.length === 0) throw new TargetResolutionError(host);
  return out;
}
