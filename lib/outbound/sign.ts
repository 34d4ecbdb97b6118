import { createHmac } from "node:crypto";
import { USER_AGENT } from "@/lib/outbound/user-agent";

/** The prefix of every signing secret (Standard Webhooks): `whsec_` + base64 of the key. */
export const SECRET_PREFIX = "whsec_";

/**
 * Standard Webhooks signing: `v1,` + base64(HMAC-SHA256(key, "id.timestamp.body")),
 * key = base64-decoded secret after `whsec_`. Verifiable with the official
 * `standardwebhooks` / `svix` libraries.
 */
export function sign(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${messageId}.${timestampSeconds}.${body}`).digest("base64")}`;
}

/** The headers of one delivery attempt. */
export function signedHeaders(
  secret: string,
  messageId: string,
  body: string,
  now = new Date(),
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    "webhook-id": messageId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": sign(secret, messageId, timestamp, body),
  };
}
