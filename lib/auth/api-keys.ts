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

/** lastUsedAt is informational: written at most once a minute per key per instance. */
async function noteKeyUsed(id: string): Promise<void> {
  const now = Date.now();
  if ((lastUsedWrites.get(id) ?? 0) >= now - 60_000) return;
  lastUsedWrites.set(id, now);
  await db.apiKey.update({ where: { id }, data: { lastUsedAt: new Date(now) } });
}

/** The presented key's hash, or null when it cannot be one of ours (no database lookup then). */
function presentedHash(key: string): string | null {
  return key.startsWith(KEY_PREFIX) && key.length === KEY_PREFIX.length + 32 ? hashApiKey(key) : null;
}

/** Resolves a presented key to its workspace, or null (unknown, malformed or revoked). */
export async function verifyApiKey(key: string): Promise<{ id: string; workspaceId: string } | null> {
  const hash = presentedHash(key);
  if (hash === null) return null;
  // Every API request comes through here: one indexed lookup straight on the shared pool costs a
  // quarter of the CPU of the same query through Prisma (scripts/bench: GET /api/v1/webhooks).
  const found = await pool().query<{ id: string; workspaceId: string; revoked: boolean }>({
    name: "akol-api-key",
    text: `SELECT id, "workspaceId", "revokedAt" IS NOT NULL AS revoked FROM "ApiKey" WHERE hash = $1`,
    values: [hash],
  });
  const row = found.rows[0];
  if (!row || row.revoked) return null;
  await noteKeyUsed(row.id);
  return { id: row.id, workspaceId: row.workspaceId };
}

/**
 * verifyApiKey and one more statement in the same round trip: `extra(from)` is an SQL statement (a
 * data-modifying one, e.g. the rate limit's count) run only for a valid, unrevoked key, reading the key's
 * row through `from` (`FROM key WHERE …`; columns `id`, `"workspaceId"`); its parameters follow `$1` (the
 * hash) in `values`. Returns the key and the columns of the extra statement's first row (RETURNING …; all
 * null when it returned none). Its column names must differ from `id`, `workspaceId` and `revoked`.
 * `name` names the prepared statement: one name per `extra` text (PostgreSQL plans it once per connection).
 */
export async function verifyApiKeyWith<R extends Record<string, unknown>>(
  key: string,
  name: string,
  extra: (from: string) => string,
  values: unknown[],
): Promise<{ key: { id: string; workspaceId: string }; extra: Partial<R> } | null> {
  const hash = presentedHash(key);
  if (hash === null) return null;
  // Revoked keys count nothing: `extra` sees only a valid key's row (the same snapshot as the lookup).
  const { rows } = await pool().query<Partial<R> & { id: string; workspaceId: string; revoked: boolean }>({
    name,
    text: `WITH found AS (SELECT id, "workspaceId", "revokedAt" IS NOT NULL AS revoked FROM "ApiKey" WHERE hash = $1),
       extra AS (${extra(`FROM found AS key WHERE NOT key.revoked`)})
     SELECT extra.*, found.id, found."workspaceId", found.revoked FROM found LEFT JOIN extra ON true`,
    values: [hash, ...values],
  });
  const row = rows[0];
  if (!row || row.revoked) return null;
  await noteKeyUsed(row.id);
  const { id, workspaceId, revoked: _revoked, ...columns } = row;
  return { key: { id, workspaceId }, extra: columns as unknown as Partial<R> };
}
