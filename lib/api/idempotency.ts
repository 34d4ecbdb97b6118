import { createHash } from "node:crypto";
import { ApiError } from "@/lib/errors";
import { db, pool } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";

/**
 * `Idempotency-Key` support: within 24 h, a repeated key returns the first
 * answer (and does nothing new); the same key with a different body is a 409;
 * a key whose first request is still running is a 409 too.
 *
 * A request that dies before answering (the app crashed or was killed) leaves
 * its claim pending: once that claim is STALE_CLAIM_MS old, a retry takes it
 * over and runs again with the same claim id, so work keyed on that id (the
 * event id of a publish) is redone idempotently instead of duplicated.
 */

const WINDOW_MS = 24 * 3600 * 1000;
/** A claim still pending after this long belongs to a request that died; a retry may take it over. */
export const STALE_CLAIM_MS = 10_000;
const PENDING = 0;

export type StoredAnswer = { status: number; body: Prisma.InputJsonValue };

/** The key's claim: `id` is the same for the first request and every retry that takes the claim over. */
export type IdempotencyClaim = { id: string };

function claimIdOf(response: Prisma.JsonValue): string | undefined {
  const claim = response && typeof response === "object" && !Array.isArray(response) ? response.claim : undefined;
  return typeof claim === "string" ? claim : undefined;
}

export async function withIdempotency(
  workspaceId: string,
  key: string | null,
  rawBody: string,
  run: (claim: IdempotencyClaim | null) => Promise<StoredAnswer>,
): Promise<StoredAnswer & { replayed: boolean }> {
  if (key === null) return { ...(await run(null)), replayed: false };
  if (key.length < 1 || key.length > 255)
    throw new ApiError(400, "validation_error", "Idempotency-Key must be 1–255 characters", [
      { field: "Idempotency-Key", message: "1–255 characters" },
    ]);
  const requestHash = createHash("sha256").update(rawBody).digest("hex");
  const where = { workspaceId_key: { workspaceId, key } };

  // Claim the key in one statement (exactly one concurrent request wins): a new key is inserted, an expired
  // one (older than the window) is claimed afresh in place, a live one is left alone (no row returned).
  let claim: IdempotencyClaim = { id: newId("claim") };
  const now = Date.now();
  const { rowCount } = await pool().query({
    name: "akol-idempotency-claim",
    text: `INSERT INTO "IdempotencyKey" ("workspaceId", key, "requestHash", status, response, "createdAt")
      VALUES ($1, $2, $3, ${PENDING}, $4::jsonb, $5::timestamp)
      ON CONFLICT ("workspaceId", key) DO UPDATE
        SET "requestHash" = EXCLUDED."requestHash", status = EXCLUDED.status, response = EXCLUDED.response,
            "createdAt" = EXCLUDED."createdAt"
        WHERE "IdempotencyKey"."createdAt" < $6::timestamp`,
    // Timestamps as UTC wall times, as Prisma stores them (the text form avoids pg's local-time conversion).
    values: [
      workspaceId,
      key,
      requestHash,
      JSON.stringify({ claim: claim.id }),
      new Date(now).toISOString(),
      new Date(now - WINDOW_MS).toISOString(),
    ],
  });
  if (rowCount === 0) {
    const prior = await db.idempotencyKey.findUnique({ where });
    if (!prior) throw new ApiError(409, "conflict", "Idempotency-Key was just released; retry the request");
    if (prior.requestHash !== requestHash)
      throw new ApiError(409, "conflict", "Idempotency-Key was already used with a different request body");
    if (prior.status !== PENDING)
      return { status: prior.status, body: prior.response as Prisma.InputJsonValue, replayed: true };
    // Pending: still running, or its request died before answering. Take a stale claim over (one taker wins).
    const inProgress = new ApiError(409, "conflict", "A request with this Idempotency-Key is still in progress");
    if (prior.createdAt.getTime() > Date.now() - STALE_CLAIM_MS) throw inProgress;
    const taken = await db.idempotencyKey.updateMany({
      where: { workspaceId, key, status: PENDING, createdAt: prior.createdAt },
      data: { createdAt: new Date() },
    });
    if (taken.count === 0) throw inProgress;
    claim = { id: claimIdOf(prior.response) ?? claim.id };
  }
  try {
    const answer = await run(claim);
    await pool().query({
      name: "akol-idempotency-answer",
      text: `UPDATE "IdempotencyKey" SET status = $3, response = $4::jsonb WHERE "workspaceId" = $1 AND key = $2`,
      values: [workspaceId, key, answer.status, JSON.stringify(answer.body)],
    });
    return { ...answer, replayed: false };
  } catch (err) {
    await db.idempotencyKey.delete({ where }).catch(() => undefined); // failed requests may be retried with the same key
    throw err;
  }
}
