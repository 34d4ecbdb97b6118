import "server-only";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { env } from "@/lib/env";
import { SECRET_PREFIX } from "@/lib/outbound/sign";

/**
 * Signing secrets: `whsec_` + base64 of 32 random bytes (Standard Webhooks).
 * Stored only as AES-256-GCM ciphertext under SECRETS_ENCRYPTION_KEY, bound
 * to the webhook's id (additional authenticated data), so a database dump
 * alone reveals nothing and a ciphertext cannot be moved to another row.
 */

export const MASKED_SECRET = "whsec_••••••••••";
const VERSION = "v1";

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

function key(): Buffer {
  return Buffer.from(env().SECRETS_ENCRYPTION_KEY, "base64");
}

export function encryptSecret(secret: string, webhookId: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  cipher.setAAD(Buffer.from(webhookId));
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64")}`;
}

export function decryptSecret(stored: string, webhookId: string): string {
  const [version, payload] = stored.split(":");
  if (version !== VERSION || !payload) throw new Error("unknown secret encoding");
  const raw = Buffer.from(payload, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key(), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(webhookId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}
