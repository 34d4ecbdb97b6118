import { db } from "@/lib/db";
import { settings } from "@/lib/env";
import { ApiError, notFound } from "@/lib/errors";
import { Prisma, type Recovery } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { requestDeliveries, requestRecovery } from "@/lib/jobs";
import { log } from "@/lib/log";
import { announceOperationalEvent } from "@/lib/operational/announce";
import {
  MAX_RECOVERY_DELIVERIES,
  recoveryIdSchema,
  type RecoveryView,
  type RecoveryWindow,
} from "@/lib/recovery/schemas";
import { storableText } from "@/lib/storable";
import { findWebhookOrThrow } from "@/lib/webhooks/get";

/**
 * Bulk recovery: replays every delivery of one endpoint that ended `failed`
 * in a time window — each once, as a `replay` delivery (same webhook-id and
 * payload, the webhook's current URL and secret, sent once, never retried,
 * never moving the failure streak: lib/delivery/failure.ts).
 *
 * Which deliveries: the endpoint's `event` deliveries created in
 * [since, until) that had ended `failed` when the recovery started, except
 * those a replay had already delivered successfully by then. The set is
 * fixed by the recovery's `createdAt` (the snapshot), so a resumed or
 * repeated step selects the same deliveries.
 *
 * How: the recover function (inngest/functions/recover.ts) calls
 * replayNextChunk in durable steps. Each step inserts the replays of the
 * next CHUNK originals (in the order they were created) — idempotently, one
 * per (recovery, original) by a unique key — and requests their delivery
 * runs with idempotent event ids, so a step repeated after a crash re-sends
 * nothing that was sent. The deliver function's per-endpoint throttle paces
 * the sends; the recovery keeps at most about CHUNK replays queued, so live
 * deliveries of the endpoint are never stuck behind the whole backlog.
 */

const CHUNK = 500;
/** The next chunk is created once fewer than this many replays are still pending. */
const REFILL_BELOW = 100;

type Snapshot = Pick<Recovery, "id" | "webhookId" | "workspaceId" | "since" | "until" | "createdAt">;

/** The deliveries a recovery replays, as a WHERE clause over `"Delivery" d` (see the module comment). */
function recoverable(r: Omit<Snapshot, "id">): Prisma.Sql {
  return Prisma.sql`
        d."webhookId" = ${r.webhookId} AND d."workspaceId" = ${r.workspaceId} AND d.kind = 'event'
    AND d.status = 'failed' AND d."createdAt" >= ${r.since} AND d."createdAt" < ${r.until}
    AND d."updatedAt" <= ${r.createdAt}
    AND NOT EXISTS (
      SELECT 1 FROM "Delivery" s
       WHERE s."replayOfId" = d.id AND s.status = 'succeeded' AND s."updatedAt" <= ${r.createdAt})`;
}

async function countRecoverable(r: Omit<Snapshot, "id">, tx: Prisma.TransactionClient | typeof db = db) {
  const rows = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Delivery" d WHERE ${recoverable(r)}`;
  return rows[0]?.n ?? 0;
}

/** The dry run: how many deliveries a recovery of this window would replay if started now. */
export async function previewRecovery(workspaceId: string, webhookId: string, window: RecoveryWindow) {
  await findWebhookOrThrow(workspaceId, webhookId);
  const total = await countRecoverable({ workspaceId, webhookId, ...window, createdAt: new Date() });
  return { since: window.since.toISOString(), until: window.until.toISOString(), total };
}

/**
 * Starts a recovery (202): refuses (409) while another recovery of the
 * endpoint is running, and (400) a window of more than
 * MAX_RECOVERY_DELIVERIES deliveries.
 */
export async function startRecovery(
  workspaceId: string,
  webhookId: string,
  window: RecoveryWindow,
): Promise<RecoveryView> {
  await findWebhookOrThrow(workspaceId, webhookId);
  const recovery = await db.$transaction(async (tx) => {
    // One recovery at a time per endpoint: concurrent starts queue on the webhook's row.
    const locked = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM "Webhook" WHERE id = ${webhookId} AND "workspaceId" = ${workspaceId} FOR UPDATE`;
    if (locked.length === 0) throw notFound("Webhook");
    const running = await tx.recovery.findFirst({
      where: { webhookId, workspaceId, status: "running" },
      select: { id: true },
    });
    if (running) {
      throw new ApiError(
        409,
        "conflict",
        `A recovery of this webhook is already running (${running.id}); wait for it to finish`,
        { recoveryId: running.id },
      );
    }
    const createdAt = new Date();
    const total = await countRecoverable({ workspaceId, webhookId, ...window, createdAt }, tx);
    if (total > MAX_RECOVERY_DELIVERIES) {
      const message = `the window holds ${total} failed deliveries; one recovery replays at most ${MAX_RECOVERY_DELIVERIES}: recover a shorter window`;
      throw new ApiError(400, "validation_error", `Request body is invalid: since: ${message}`, [
        { field: "since", message },
      ]);
    }
    return tx.recovery.create({
      data: { id: newId("rcv"), workspaceId, webhookId, ...window, total, createdAt },
    });
  });
  try {
    await requestRecovery({ recoveryId: recovery.id, webhookId, workspaceId });
  } catch (err) {
    // Without its run the recovery would block the endpoint's next one (409): settle it, and say so.
    await finishRecovery(recovery.id, "failed", "internal: the recovery could not be started");
    throw err;
  }
  return toView(recovery, { succeeded: 0, failed: 0 });
}

/** A recovery of the webhook (404 for another workspace's, a malformed id, or another webhook's). */
export async function getRecovery(workspaceId: string, webhookId: string, recoveryId: string): Promise<RecoveryView> {
  await findWebhookOrThrow(workspaceId, webhookId);
  const row = recoveryIdSchema.safeParse(recoveryId).success
    ? await db.recovery.findFirst({ where: { id: recoveryId, webhookId, workspaceId } })
    : null;
  if (!row) throw notFound("Recovery");
  return toView(row, await progress(row.id));
}

/** The webhook's recoveries, newest first (at most LIST_LIMIT), each with its progress. */
export async function listRecoveries(workspaceId: string, webhookId: string): Promise<RecoveryView[]> {
  await findWebhookOrThrow(workspaceId, webhookId);
  const rows = await db.recovery.findMany({
    where: { webhookId, workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: LIST_LIMIT,
  });
  if (rows.length === 0) return [];
  const counts = await db.$queryRaw<(Progress & { recoveryId: string })[]>`
    SELECT "recoveryId",
           count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*)::int AS replays
      FROM "Delivery" WHERE "recoveryId" = ANY(${rows.map((r) => r.id)}::text[])
     GROUP BY "recoveryId"`;
  const byId = new Map(counts.map((c) => [c.recoveryId, c]));
  return rows.map((r) => toView(r, byId.get(r.id) ?? { succeeded: 0, failed: 0 }));
}

const LIST_LIMIT = 20;

type Progress = { succeeded: number; failed: number; pending: number; replays: number };

async function progress(recoveryId: string): Promise<Progress> {
  const rows = await db.$queryRaw<Progress[]>`
    SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
           count(*) FILTER (WHERE status = 'failed')::int AS failed,
           count(*) FILTER (WHERE status = 'pending')::int AS pending,
           count(*)::int AS replays
      FROM "Delivery" WHERE "recoveryId" = ${recoveryId}`;
  return rows[0] ?? { succeeded: 0, failed: 0, pending: 0, replays: 0 };
}

function toView(r: Recovery, p: Pick<Progress, "succeeded" | "failed">): RecoveryView {
  return {
    id: r.id,
    webhookId: r.webhookId,
    status: r.status,
    since: r.since.toISOString(),
    until: r.until.toISOString(),
    total: r.total,
    sent: p.succeeded + p.failed,
    succeeded: p.succeeded,
    failed: p.failed,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    error: r.error,
  };
}

/** Where a recovery's run stands between steps (JSON: it is a step's result). */
export type Cursor = { createdAt: string; id: string } | null;
export type ChunkOutcome =
  | { kind: "replayed"; count: number; cursor: Cursor; exhausted: boolean }
  | { kind: "wait"; waitMs: number; exhausted: boolean }
  | { kind: "done" };

/**
 * One step of a recovery: while many of its replays are still pending,
 * says how long to wait (the throttle's pace); otherwise replays the next
 * chunk of originals after `cursor`; once every original is replayed and
 * every replay settled, says done. Safe to repeat (see the module comment).
 */
export async function replayNextChunk(recoveryId: string, cursor: Cursor, exhausted: boolean): Promise<ChunkOutcome> {
  const recovery = await db.recovery.findUnique({ where: { id: recoveryId } });
  if (!recovery || recovery.status !== "running") return { kind: "done" };
  const { pending } = await progress(recoveryId);
  const rate = settings().WEBHOOK_DELIVERY_RATE_PER_SECOND;
  const paceMs = (n: number) => Math.min(60_000, Math.max(1000, Math.ceil((n / rate) * 1000)));
  if (exhausted || pending >= REFILL_BELOW) {
    if (pending === 0) return { kind: "done" };
    return { kind: "wait", waitMs: paceMs(exhausted ? pending : pending - REFILL_BELOW + 1), exhausted };
  }

  const webhook = await db.webhook.findFirst({
    where: { id: recovery.webhookId, workspaceId: recovery.workspaceId },
    select: { url: true },
  });
  if (!webhook) return { kind: "done" }; // deleted: the deletion cancels the recovery

  const after = cursor
    ? Prisma.sql`AND (d."createdAt", d.id) > (${new Date(cursor.createdAt)}, ${cursor.id})`
    : Prisma.empty;
  const originals = await db.$queryRaw<{ id: string; createdAt: Date }[]>`
    SELECT d.id, d."createdAt" FROM "Delivery" d
     WHERE ${recoverable(recovery)} ${after}
     ORDER BY d."createdAt", d.id
     LIMIT ${CHUNK}`;
  const last = originals.at(-1);
  if (!last) return pending === 0 ? { kind: "done" } : { kind: "wait", waitMs: paceMs(pending), exhausted: true };

  const originalIds = originals.map((o) => o.id);
  const now = new Date();
  await db.$executeRaw`
    INSERT INTO "Delivery" (id, "workspaceId", "webhookId", "eventId", "messageId", "eventType", kind, "replayOfId",
                            "recoveryId", payload, url, "nextAttemptAt", "createdAt", "updatedAt")
    SELECT x.new_id, d."workspaceId", d."webhookId", d."eventId", d."messageId", d."eventType", 'replay', d.id,
           ${recoveryId}, d.payload, ${webhook.url}, ${now}, ${now}, ${now}
      FROM unnest(${originalIds.map(() => newId("dlv"))}::text[], ${originalIds}::text[]) AS x(new_id, original_id)
      JOIN "Delivery" d ON d.id = x.original_id
        ON CONFLICT ("recoveryId", "replayOfId") DO NOTHING`;
  // Every still-pending replay of this chunk (new, or made by an earlier try of this step): idempotent requests.
  const replays = await db.delivery.findMany({
    where: { recoveryId, replayOfId: { in: originalIds }, status: "pending" },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  await requestDeliveries(replays.map((d) => ({ deliveryId: d.id, webhookId: recovery.webhookId, kind: "replay" })));
  return {
    kind: "replayed",
    count: originals.length,
    cursor: { createdAt: last.createdAt.toISOString(), id: last.id },
    exhausted: originals.length < CHUNK,
  };
}

/**
 * Settles a recovery (once: only a running one): `completed` with the exact
 * total (the replays it made), or `failed`/`cancelled` with the reason.
 * Returns its final view, or null when it was no longer running.
 */
export async function finishRecovery(
  recoveryId: string,
  status: "completed" | "failed" | "cancelled",
  reason?: string,
): Promise<RecoveryView | null> {
  const p = await progress(recoveryId);
  const error = reason === undefined ? null : storableText(reason).slice(0, 500);
  const res = await db.recovery.updateMany({
    where: { id: recoveryId, status: "running" },
    data: { status, finishedAt: new Date(), error, ...(status === "completed" ? { total: p.replays } : {}) },
  });
  const row = await db.recovery.findUnique({ where: { id: recoveryId } });
  if (res.count === 0 || !row) return null;
  if (status !== "completed") log.warn("recovery did not complete", { recoveryId, status, error });
  return toView(row, p);
}

/**
 * Tells the workspace's operational webhook (if it has one) that a recovery
 * has finished: a signed `webhook.recovered`, keyed by the recovery so a
 * repeated call sends it once.
 */
export async function announceRecovered(workspaceId: string, summary: RecoveryView): Promise<void> {
  const { webhookId, id: recoveryId, total, succeeded, failed, since, until } = summary;
  await announceOperationalEvent(
    workspaceId,
    "webhook.recovered",
    { webhookId, recoveryId, total, succeeded, failed, since, until },
    { key: recoveryId },
  );
}
