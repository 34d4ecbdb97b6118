import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";

/**
 * Request signing between the embedded executor and the app's own `serve()`
 * handler. The Inngest client stays in cloud mode with a signing key derived
 * from AUTH_SECRET, so the handler refuses every call that the executor did
 * not sign (dev mode would let anyone POST events and step state to
 * /api/inngest).
 *
 * The format is exactly what inngest 4.24 verifies (InngestCommHandler /
 * helpers/net.ts): `x-inngest-signature: t=<unix seconds>&s=<hex>` where hex
 * is HMAC-SHA256 keyed with the signing key minus its `signkey-<env>-` prefix
 * (as UTF-8 text) over `canonicalize(parsed JSON body) + t`, and the SDK
 * rejects timestamps more than 5 minutes away.
 */

const KEY_CONTEXT = "akol-webhooks/inngest-embedded-signing-key/v1";

/** `signkey-prod-<64 hex>`, derived deterministically from `secret` (AUTH_SECRET by default). */
export function embeddedSigningKey(secret: string = env().AUTH_SECRET): string {
  return `signkey-prod-${createHmac("sha256", secret).update(KEY_CONTEXT).digest("hex")}`;
}

/** The event key the embedded client sends with (never leaves the process). */
export function embeddedEventKey(secret: string = env().AUTH_SECRET): string {
  return createHmac("sha256", secret).update(`${KEY_CONTEXT}/event-key`).digest("hex").slice(0, 32);
}

export function removeSigningKeyPrefix(key: string): string {
  return key.replace(/^signkey-[\w]+-/, "");
}

/** Hash of a signing key as the SDK reports it (`signkey-prod-<sha256 of the hex key>`). */
export function hashSigningKey(key: string): string {
  const prefix = /^signkey-[\w]+-/.exec(key)?.[0] ?? "";
  return `${prefix}${createHash("sha256")
    .update(Buffer.from(removeSigningKeyPrefix(key), "hex"))
    .digest("hex")}`;
}

/**
 * RFC 8785-style canonical JSON, identical to the `canonicalize` package the
 * SDK uses: object keys sorted by UTF-16 code units, `undefined` members
 * dropped, `toJSON` honoured, numbers and strings as JSON.stringify writes them.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (i > 0) out += ",";
      out += v === undefined || typeof v === "symbol" || typeof v === "function" ? "null" : canonicalJson(v);
    }
    return out + "]";
  }
  const obj = value as Record<string, unknown>;
  let out = "{";
  let first = true;
  for (const k of Object.keys(obj).sort()) {
    const v = obj[k];
    if (v === undefined || typeof v === "symbol" || typeof v === "function") continue;
    out += `${first ? "" : ","}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return out + "}";
}

function hmacHex(key: string, data: string, ts: string): string {
  return createHmac("sha256", removeSigningKeyPrefix(key)).update(data).update(ts).digest("hex");
}

/**
 * Signs a request body. `body` must be the exact string sent; the SDK parses
 * it and re-canonicalizes, so send `canonicalJson(payload)` (then both agree
 * byte for byte). An empty body is signed as the empty string.
 */
export function signRequest(body: string, signingKey: string, nowMs: number = Date.now()): string {
  const ts = Math.round(nowMs / 1000).toString();
  return `t=${ts}&s=${hmacHex(signingKey, body, ts)}`;
}

/** Verifies a signature made over `body` (used for SDK responses and in tests). */
export function verifySignature(
  header: string | null | undefined,
  body: string,
  signingKey: string,
  opts: { nowMs?: number; toleranceMs?: number } = {},
): boolean {
  if (!header) return false;
  const params = new URLSearchParams(header);
  const ts = params.get("t");
  const sig = params.get("s");
  if (!ts || !sig || !/^\d+$/.test(ts)) return false;
  if (Math.abs((opts.nowMs ?? Date.now()) - Number(ts) * 1000) > (opts.toleranceMs ?? 5 * 60_000)) return false;
  const expected = Buffer.from(hmacHex(signingKey, body, ts));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
