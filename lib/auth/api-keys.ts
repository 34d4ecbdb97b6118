import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { notFound } from "@/lib/errors";
import { db, pool } from "@/lib/db";
import { newId } from "@/lib/ids";

/**
 * API keys: `akol_sk_` + 32 random base62 characters. Only a sha256 hash is
 * stored (the key has 190 bits of entropy, so a fast hash is safe); the
 * plaintext is returned once, by create.
 */

const KEY_PREFIX = "akol_sk_";
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export const createApiKeySchema = z.strictObject({ name: z.string().trim().min(1, "is required").max(100) });

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function generateKey(): string {
  let out = "";
  while (out.length < 32) {
    for (const b of randomBytes(48)) {
      if (b < 248 && out.length < 32) out += BASE62[b % 62]; // 248 = 4*62: no modulo bias
    }
  }
  return KEY_PREFIX + out;
}

export type ApiKeyView = { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null };

const view = (k: ApiKeyView): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  createdAt: k.createdAt,
  lastUsedAt: k.lastUsedAt,
});

export async function createApiKey(workspaceId: string, name: string): Promise<ApiKeyView & { key: string }> {
  const key = generateKey();
  const row = await db.apiKey.create({
    data: { id: newId("key"), workspaceId, name, prefix: key.slice(0, KEY_PREFIX.length + 6), hash: hashApiKey(key) },
  });
  return { ...view(row), key };
}

export async function listApiKeys(workspaceId: string): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { workspaceId, revokedAt: null }, orderBy: { createdAt: "desc" } });
  return rows.map(view);
}

const apiKeyIdSchema = z.string().regex(/^key_[0-9A-Za-z]{10,40}$/);

export async function revokeApiKey(workspaceId: string, id: string): Promise<void> {
  if (!apiKeyIdSchema.safeParse(id).success) throw notFound("API key"); // a malformed id (e.g. with NUL) never reaches the database
  const res = await db.apiKey.updateMany({
    where: { id, workspaceId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  if (res.count === 0) throw notFound("API key");
}

const lastUsedWrites = new Map<string, number>();

/** Resolves a presented key to its workspace, or null (unknown, malformed or revoked). */
export async function verifyApiKey(key: string): Promise<{ id: string; workspaceId: string } | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length !== KEY_PREFIX.length + 32) return null;
  // Every API request comes through here: one indexed lookup straight on the shared pool costs a
  // quarter of the CPU of the same query through Prisma (scripts/bench: GET /api/v1/webhooks).
  const found = await pool().query<{ id: string; workspaceId: string; revoked: boolean }>(
    `SELECT id, "workspaceId", "revokedAt" IS NOT NULL AS revoked FROM "ApiKey" WHERE hash = $1`,
    [hashApiKey(key)],
  );
  const row = found.rows[0];
  if (!row || row.revoked) return null;
  // lastUsedAt is informational: write it at most once a minute per key per instance.
  const now = Date.now();
  if ((lastUsedWrites.get(row.id) ?? 0) < now - 60_000) {
    lastUsedWrites.set(row.id, now);
    await db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { id: row.id, workspaceId: row.workspaceId };
}
