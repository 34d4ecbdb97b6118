import { createHash } from "node:crypto";
import { ApiError } from "@/lib/api/errors";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";

/**
 * `Idempotency-Key` support: within 24 h, a repeated key returns the first
 * answer (and does nothing new); the same key with a different body is a 409;
 * a key whose first request is still running is a 409 too.
 */

const WINDOW_MS = 24 * 3600 * 1000;
const PENDING = 0;

export type StoredAnswer = { status: number; body: Prisma.InputJsonValue };

export async function withIdempotency(
  workspaceId: string,
  key: string | null,
  rawBody: string,
  run: () => Promise<StoredAnswer>,
): Promise<StoredAnswer & { replayed: boolean }> {
  if (key === null) return { ...(await run()), replayed: false };
  if (key.length < 1 || key.length > 255) throw new ApiError(400, "validation_error", "Idempotency-Key must be 1–255 characters", [{ field: "Idempotency-Key", message: "1–255 characters" }]);
  const requestHash = createHash("sha256").update(rawBody).digest("hex");
  const where = { workspaceId_key: { workspaceId, key } };

  // Forget an expired key, then claim the key (exactly one concurrent request wins).
  await db.idempotencyKey.deleteMany({ where: { workspaceId, key, createdAt: { lt: new Date(Date.now() - WINDOW_MS) } } });
  const claimed = await db.idempotencyKey.createMany({
    data: [{ workspaceId, key, requestHash, status: PENDING, response: {} }],
    skipDuplicates: true,
  });
  if (claimed.count === 0) {
    const prior = await db.idempotencyKey.findUnique({ where });
    if (!prior) throw new ApiError(409, "conflict", "Idempotency-Key was just released; retry the request");
    if (prior.requestHash !== requestHash) throw new ApiError(409, "conflict", "Idempotency-Key was already used with a different request body");
    if (prior.status === PENDING) throw new ApiError(409, "conflict", "A request with this Idempotency-Key is still in progress");
    return { status: prior.status, body: prior.response as Prisma.InputJsonValue, replayed: true };
  }
  try {
    const answer = await run();
    await db.idempotencyKey.update({ where, data: { status: answer.status, response: answer.body } });
    return { ...answer, replayed: false };
  } catch (err) {
    await db.idempotencyKey.delete({ where }).catch(() => undefined); // failed requests may be retried with the same key
    throw err;
  }
}
