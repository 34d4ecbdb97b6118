import { readFileSync } from "node:fs";
import type { LookupFunction } from "node:net";
import type { Readable } from "node:stream";
import { isIP } from "node:net";
import { createSecureContext, rootCertificates } from "node:tls";
import { Agent, buildConnector, request, type Dispatcher } from "undici";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { parseRetryAfter } from "@/lib/outbound/retry-after";
import { USER_AGENT } from "@/lib/outbound/user-agent";
import { isLocalReceiverTarget, localReceiverAllowance } from "@/lib/outbound/local-receiver";
import {
  BlockedTargetError,
  TargetResolutionError,
  blockedReason,
  configuredAllowlist,
  normalizeHost,
  resolveAndCheck,
  systemResolver,
  validateWebhookUrl,
  type Resolver,
} from "@/lib/outbound/ssrf";

/**
 * The one module that opens outbound connections to customer URLs.
 *
 * - HTTPS only, POST only, redirects never followed (a 3xx is a failure).
 * - Every new connection resolves the host and checks ALL its addresses
 *   (lib/outbound/ssrf.ts), then dials only those validated addresses: the
 *   lookup is pinned inside the connector, so a DNS answer that changes
 *   between validation and connect (rebinding) is checked again and refused.
 *   IP-literal hosts (which never reach a lookup) are checked in the connector.
 * - Certificates always verified against Node's root store plus the PEM file
 *   named by NODE_EXTRA_CA_CERTS (read through env(), passed explicitly) and,
 *   in development only, the CA of `npm run receiver`, whose address
 *   (127.0.0.1:<its port>, exactly) the connector lets through
 *   (lib/outbound/local-receiver.ts).
 * - One total deadline covers connect, headers and body; the body is read up
 *   to 16 KiB and the rest is dropped (never buffered).
 * - Keep-alive pooling through one shared Agent per (resolver, CA file,
 *   allowlist); pooled sockets were validated when they were opened.
 */

export const RESPONSE_BODY_LIMIT_BYTES = 16 * 1024;
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_REDIRECT_LOCATION_CHARS = 300;

/** Hop-by-hop and routing headers the caller may not set. */
const FORBIDDEN_REQUEST_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "upgrade",
  "expect",
  "te",
  "trailer",
]);

export type DeliveryErrorKind =
  "blocked" | "timeout" | "tls" | "connection_refused" | "dns" | "reset" | "redirect" | "network";

export interface DeliveryError {
  kind: DeliveryErrorKind;
  message: string;
}

export interface DeliveryResult {
  /** True for a 2xx response only. */
  ok: boolean;
  status?: number;
  /** Response headers, lowercased; repeated headers joined with ", ". */
  headers?: Record<string, string>;
  /** Response body as UTF-8, at most 16 KiB (cut on a character boundary). */
  body?: string;
  bodyTruncated: boolean;
  durationMs: number;
  /** Parsed Retry-After (delta-seconds or HTTP-date), uncapped; present when the header is valid. */
  retryAfterSeconds?: number;
  /** Transport failure, policy refusal, or "redirect" for a 3xx. Absent for any other response. */
  error?: DeliveryError;
}

export interface SendWebhookRequestOptions {
  url: string;
  /** Sent byte-for-byte (sign exactly this). */
  body: string | Uint8Array;
  /** Extra headers (webhook-id, webhook-signature, …). Content-Type defaults to application/json. */
  headers?: Record<string, string>;
  /** Total deadline for connect + headers + body; default WEBHOOK_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Host resolver; default the system resolver. Tests inject a fake one. */
  resolver?: Resolver;
  /** Aborts the attempt (reported as kind "network"). */
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------
// Dispatcher

function pinnedLookup(resolver: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolveAndCheck(hostname, resolver, configuredAllowlist()).then(
      (addresses) => {
        const fam = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : options.family;
        const wanted = fam === 4 || fam === 6 ? addresses.filter((a) => a.family === fam) : addresses;
        const first = wanted[0];
        if (!first) {
          callback(new TargetResolutionError(hostname), "");
        } else if (options.all) {
          callback(
            null,
            wanted.map((a) => ({ address: a.address, family: a.family })),
          );
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: unknown) => {
        callback(err instanceof Error ? err : new TargetResolutionError(hostname, err), "");
      },
    );
  };
}

function loadExtraCa(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    log.error("NODE_EXTRA_CA_CERTS could not be read; using the default root store only", {
      path,
      error: err instanceof Error ? err.message : String(err),
    });
    return undefined;
  }
}

function createAgent(resolver: Resolver, extraCaPath: string | undefined, localReceiverCa: string | undefined): Agent {
  const extra = loadExtraCa(extraCaPath);
  const ca = [...rootCertificates, ...(extra ? [extra] : []), ...(localReceiverCa ? [localReceiverCa] : [])];
  // Built once per Agent: parsing ~150 roots on every connection would be wasteful.
  const secureContext = createSecureContext({ ca });
  const base = buildConnector({
    rejectUnauthorized: true,
    secureContext,
    lookup: pinnedLookup(resolver),
    timeout: CONNECT_TIMEOUT_MS,
  });
  const connect: buildConnector.connector = (opts, callback) => {
    if (opts.protocol !== "https:") {
      callback(
        new BlockedTargetError(`Refusing ${opts.protocol} connection: only https is allowed`, opts.hostname),
        null,
      );
      return;
    }
    let host: string;
    try {
      host = normalizeHost(opts.hostname);
    } catch {
      callback(new BlockedTargetError(`"${opts.hostname}" is not a valid host`, opts.hostname), null);
      return;
    }
    // net.connect skips the lookup for IP literals: check them here.
    if (isIP(host)) {
      const reason = blockedReason(host, configuredAllowlist());
      if (reason && !isLocalReceiverTarget(host, Number(opts.port) || 443)) {
        callback(new BlockedTargetError(`${host} is ${reason}`, host, host), null);
        return;
      }
    }
    base({ ...opts, hostname: host }, callback);
  };
  return new Agent({
    connect,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
  });
}

const agents = new Map<Resolver, { key: string; agent: Agent }>();

/**
 * The pooled dispatcher for a resolver, with the SSRF checks in its
 * connector. Rebuilt (and the old one closed gracefully) when
 * NODE_EXTRA_CA_CERTS, WEBHOOK_ALLOWED_TARGETS or (in development) the local
 * receiver's port or CA change.
 */
export function getWebhookDispatcher(resolver: Resolver = systemResolver): Dispatcher {
  const config = env();
  const caPath = config.NODE_EXTRA_CA_CERTS || undefined;
  const local = localReceiverAllowance();
  const key = `${caPath ?? ""}\n${config.WEBHOOK_ALLOWED_TARGETS}\n${local?.key ?? ""}`;
  const existing = agents.get(resolver);
  if (existing?.key === key) return existing.agent;
  if (existing) void existing.agent.close().catch(() => undefined);
  const agent = createAgent(resolver, caPath, local?.caPem);
  agents.set(resolver, { key, agent });
  return agent;
}

/** Close every pooled connection (tests, shutdown). */
export async function closeHttpClients(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.all(all.map(({ agent }) => agent.destroy().catch(() => undefined)));
}

// ---------------------------------------------------------------------------
// Helpers

/** Drop an incomplete UTF-8 sequence at the end of a buffer cut at an arbitrary byte. */
export function trimPartialUtf8(buf: Buffer): Buffer {
  let i = buf.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((buf[i] ?? 0) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf;
  const lead = buf[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i < need ? buf.subarray(0, i) : buf;
}

/**
 * The body, up to `limit` bytes; the rest is never read (the stream is destroyed, and with it the connection).
 * Read with plain 'data' events rather than an async iterator: one per response adds up at hundreds a second.
 */
function readCapped(body: Readable, limit: number): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (truncated: boolean) => {
      const all = Buffer.concat(chunks, size);
      resolve({ text: (truncated ? trimPartialUtf8(all) : all).toString("utf8"), truncated });
    };
    const onData = (chunk: unknown) => {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (size + buf.length > limit) {
        chunks.push(buf.subarray(0, limit - size));
        size = limit;
        body.off("data", onData);
        body.off("end", onEnd);
        body.destroy(); // the rest is never read
        finish(true);
        return;
      }
      chunks.push(buf);
      size += buf.length;
    };
    const onEnd = () => finish(false);
    body.on("data", onData);
    body.once("end", onEnd);
    body.on("error", reject); // kept after the end: an error after a destroy must not go unhandled
  });
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function requestHeaders(extra: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = { "content-type": "application/json", "user-agent": USER_AGENT };
  for (const [k, v] of Object.entries(extra ?? {})) {
    const key = k.toLowerCase();
    if (!FORBIDDEN_REQUEST_HEADERS.has(key)) out[key] = v;
  }
  return out;
}

const DNS_CODES = new Set([
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "EAI_NODATA",
  "ENODATA",
  "ESERVFAIL",
  "ENONAME",
  "EREFUSED",
]);
const RESET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "UND_ERR_SOCKET", "ERR_STREAM_PREMATURE_CLOSE"]);
const TIMEOUT_CODES = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);
const TLS_CODES = new Set([
  "EPROTO",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "HOSTNAME_MISMATCH",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
]);

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  let cur: unknown = err;
  while (cur !== undefined && cur !== null && out.length < 6 && !out.includes(cur)) {
    out.push(cur);
    cur = typeof cur === "object" && "cause" in cur ? cur.cause : undefined;
  }
  return out;
}

function codeOf(err: unknown): string {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string" ? err.code : "";
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A TLS failure as a category: never the certificate's details (its SAN list
 * names internal hosts) nor the address dialled.
 */
function tlsMessage(code: string): string {
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH")
    return "the endpoint's TLS certificate is not valid for this host";
  if (code === "CERT_HAS_EXPIRED") return "the endpoint's TLS certificate has expired";
  if (code === "CERT_NOT_YET_VALID") return "the endpoint's TLS certificate is not valid yet";
  if (code === "CERT_REVOKED") return "the endpoint's TLS certificate is revoked";
  if (TLS_CODES.has(code) && code !== "EPROTO")
    return `the endpoint's TLS certificate is not trusted (${code}: self-signed, unknown issuer or incomplete chain)`;
  return `the TLS handshake with the endpoint failed (${code})`;
}

const IPV4 = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g;
const IPV6 = /\[?\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\b\]?(?::\d+)?/gi;

/** Transport messages without the addresses a name resolved to (those stay internal). */
function withoutAddresses(message: string): string {
  return message.replace(IPV4, "<address>").replace(IPV6, "<address>");
}

/** Map a failure from undici/net/tls to a DeliveryError. */
export function classifyError(err: unknown): DeliveryError {
  const chain = causes(err);
  for (const e of chain) {
    const code = codeOf(e);
    if (e instanceof BlockedTargetError || code === "ERR_WEBHOOK_TARGET_BLOCKED") {
      return { kind: "blocked", message: messageOf(e) };
    }
    if (e instanceof TargetResolutionError || DNS_CODES.has(code)) {
      return { kind: "dns", message: messageOf(e) };
    }
  }
  for (const e of chain) {
    const code = codeOf(e);
    if (code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || TLS_CODES.has(code)) {
      return { kind: "tls", message: `TLS error: ${tlsMessage(code)}` };
    }
    if (code === "ECONNREFUSED") return { kind: "connection_refused", message: "Connection refused" };
    if (TIMEOUT_CODES.has(code)) return { kind: "timeout", message: withoutAddresses(messageOf(e)) };
    if (RESET_CODES.has(code))
      return {
        kind: "reset",
        message: `Connection reset or closed by the receiver (${withoutAddresses(messageOf(e))})`,
      };
  }
  const code = chain.map(codeOf).find(Boolean);
  const message = withoutAddresses(messageOf(err));
  return { kind: "network", message: code ? `${message} (${code})` : message };
}

/**
 * validateWebhookUrl, remembered per URL for the current policy (WEBHOOK_ALLOWED_TARGETS and, in development,
 * the local receiver): a batch sends to the same few URLs hundreds of times a second. Only accepted URLs are
 * remembered (a refusal is checked, and logged, every time); a policy change starts afresh. This is the syntax
 * check only: every new connection is still resolved and checked at connect time (the dispatcher above).
 */
const VALIDATED_URLS_MAX = 1000;
let validatedUrls: { policy: string; urls: Map<string, URL> } = { policy: "", urls: new Map() };

function validatedUrl(raw: string): { ok: true; url: URL } | { ok: false; message: string } {
  const policy = `${env().WEBHOOK_ALLOWED_TARGETS}\n${localReceiverAllowance()?.key ?? ""}`;
  if (validatedUrls.policy !== policy) validatedUrls = { policy, urls: new Map() };
  const known = validatedUrls.urls.get(raw);
  if (known) return { ok: true, url: known };
  const checked = validateWebhookUrl(raw);
  if (checked.ok) {
    if (validatedUrls.urls.size >= VALIDATED_URLS_MAX) validatedUrls.urls.clear();
    validatedUrls.urls.set(raw, checked.url);
  }
  return checked;
}

class DeadlineExceeded extends Error {
  override name = "DeadlineExceeded";
}

// ---------------------------------------------------------------------------
// Sending

/**
 * POST `body` to `url`. Every delivery outcome (2xx, other status, redirect,
 * timeout, TLS/connection/DNS error, SSRF refusal) is a DeliveryResult; it
 * only throws if the configuration itself cannot be loaded (env()).
 * Logs refusals (host and reason only), never URLs' paths, headers or bodies.
 */
export async function sendWebhookRequest(options: SendWebhookRequestOptions): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (error: DeliveryError, partial: Partial<DeliveryResult> = {}): DeliveryResult => ({
    ok: false,
    bodyTruncated: false,
    ...partial,
    durationMs: elapsed(),
    error,
  });

  const checked = validatedUrl(options.url);
  if (!checked.ok) {
    log.warn("webhook target refused", { reason: checked.message });
    return fail({ kind: "blocked", message: checked.message });
  }
  const url = checked.url;
  if (url.protocol !== "https:") return fail({ kind: "blocked", message: "URL must use https://" });

  const timeoutMs = options.timeoutMs ?? env().WEBHOOK_TIMEOUT_MS;
  const dispatcher = getWebhookDispatcher(options.resolver ?? systemResolver);
  const controller = new AbortController();
  let timedOut = false;
  // undici defers an abort that arrives while the connection is still being
  // opened until the connect finishes (or hits its own connect timeout), so the
  // deadline is also raced here: a stalled TCP/TLS handshake cannot outlive it.
  // The deferred abort still fires at connect, before any byte is written.
  let stop: (reason: Error) => void = () => undefined;
  const stopped = new Promise<never>((_resolve, reject) => {
    stop = (reason) => {
      controller.abort(reason);
      reject(reason);
    };
  });
  stopped.catch(() => undefined);
  const timer = setTimeout(() => {
    timedOut = true;
    stop(new DeadlineExceeded(`No complete response within ${timeoutMs} ms`));
  }, timeoutMs);
  const onCallerAbort = () => stop(new Error("Request aborted"));
  if (options.signal?.aborted) onCallerAbort();
  else options.signal?.addEventListener("abort", onCallerAbort, { once: true });

  let status: number | undefined;
  let headers: Record<string, string> | undefined;
  const attempt = async (): Promise<DeliveryResult> => {
    const response = await request(url, {
      method: "POST",
      body: options.body,
      headers: requestHeaders(options.headers),
      dispatcher,
      signal: controller.signal,
    });
    status = response.statusCode;
    headers = flattenHeaders(response.headers);
    const { text, truncated } = await readCapped(response.body, RESPONSE_BODY_LIMIT_BYTES);
    const result: DeliveryResult = {
      ok: status >= 200 && status < 300,
      status,
      headers,
      body: text,
      bodyTruncated: truncated,
      durationMs: elapsed(),
    };
    const retryAfter = parseRetryAfter(headers["retry-after"]);
    if (retryAfter !== undefined) result.retryAfterSeconds = retryAfter;
    if (status >= 300 && status < 400) {
      const location = headers.location;
      const where = location ? ` to ${location.slice(0, MAX_REDIRECT_LOCATION_CHARS)}` : "";
      result.error = {
        kind: "redirect",
        message: `Receiver answered ${status} (redirect${where}); redirects are not followed`,
      };
    }
    return result;
  };

  try {
    const running = attempt();
    running.catch(() => undefined); // when the deadline wins, the attempt's later rejection is expected
    return await Promise.race([running, stopped]);
  } catch (err) {
    const partial: Partial<DeliveryResult> = status === undefined ? {} : { status, headers };
    if (timedOut) return fail({ kind: "timeout", message: `No complete response within ${timeoutMs} ms` }, partial);
    if (options.signal?.aborted) return fail({ kind: "network", message: "Request aborted" }, partial);
    const error = classifyError(err);
    if (error.kind === "blocked") {
      // The operator's log keeps what the user-facing message leaves out: the address and exact reason.
      const blocked = causes(err).find((e): e is BlockedTargetError => e instanceof BlockedTargetError);
      log.warn("webhook target refused at connect time", {
        host: url.hostname,
        reason: error.message,
        ...(blocked?.address ? { address: blocked.address, detail: blocked.reason } : {}),
      });
    }
    return fail(error, partial);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onCallerAbort);
  }
}
