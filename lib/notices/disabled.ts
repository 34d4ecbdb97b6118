import { db } from "@/lib/db";
import type { Prisma, WebhookDisableNotice } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { announceWebhookAutoDisabled } from "@/lib/jobs";
import { log } from "@/lib/log";
import { operationalEventRequest } from "@/lib/operational/announce";

/**
 * The notices of an automatic disable (issue 14): called by the failure
 * accounting (lib/delivery/failure.ts) in the transaction that disables the
 * endpoint. It stores the dashboard's banner (a WebhookDisableNotice row,
 * committed with the disable itself, or not at all); once that transaction
 * has committed, the email to the workspace's members and the operational
 * `webhook.disabled` event are queued in one job send, and sent by Inngest
 * functions with retries. Nothing here waits for the queue, SMTP or an
 * operational endpoint, so none of them can block or break the accounting,
 * and a rolled-back disable announces nothing.
 *
 * Durable: the row records when queueing succeeded (`announcedAt`). If it
 * did not (the queue unreachable, the process gone), the sweep
 * (announcePendingNotices, every 5 minutes) queues it later; the job ids
 * derive from the notice id, so each notice is announced once.
 */
export async function noticeAutoDisabled(
  tx: Prisma.TransactionClient,
  disable: { webhookId: string; reason: string; at: Date },
): Promise<void> {
  const webhook = await tx.webhook.findUnique({
    where: { id: disable.webhookId },
    select: { workspaceId: true, url: true },
  });
  if (!webhook) return;
  const notice = {
    id: newId("ntc"),
    workspaceId: webhook.workspaceId,
    webhookId: disable.webhookId,
    url: webhook.url,
    reason: disable.reason,
    disabledAt: disable.at,
  };
  await tx.webhookDisableNotice.create({ data: notice });
  announceAfterCommit(notice);
}

const COMMIT_WAIT_MS = 30_000;
const COMMIT_POLL_MS = 50;

/**
 * Queues the notice's jobs once the disabling transaction has committed (the
 * row becomes visible), without holding up the caller; a row that never
 * appears was rolled back (or the commit took so long that the sweep takes over).
 */
function announceAfterCommit(n: NoticeFields): void {
  void (async () => {
    const deadline = Date.now() + COMMIT_WAIT_MS;
    while (!(await db.webhookDisableNotice.findUnique({ where: { id: n.id }, select: { id: true } }))) {
      if (Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, COMMIT_POLL_MS));
    }
    if (await announce(n))
      await db.webhookDisableNotice.updateMany({
        where: { id: n.id, announcedAt: null },
        data: { announcedAt: new Date() },
      });
  })().catch((err: unknown) =>
    log.error("could not announce a disabled endpoint; the sweep will retry", { noticeId: n.id, err }),
  );
}

type NoticeFields = Pick<WebhookDisableNotice, "id" | "workspaceId" | "webhookId" | "url" | "reason" | "disabledAt">;

/** Queues the email and the operational event of a notice; false (and logged) when the queue refused. */
async function announce(n: NoticeFields): Promise<boolean> {
  const disabledAt = n.disabledAt.toISOString();
  try {
    await announceWebhookAutoDisabled(
      { noticeId: n.id, workspaceId: n.workspaceId, webhookId: n.webhookId, url: n.url, reason: n.reason, disabledAt },
      operationalEventRequest(
        n.workspaceId,
        "webhook.disabled",
        { webhookId: n.webhookId, url: n.url, reason: n.reason, disabledAt },
        { key: n.id, at: n.disabledAt },
      ),
    );
    return true;
  } catch (err) {
    log.error("could not queue the email and operational event of a disabled endpoint; the sweep will retry", {
      webhookId: n.webhookId,
      noticeId: n.id,
      err,
    });
    return false;
  }
}

/** A notice not announced this long after it was stored is queued again by the sweep (its transaction has long committed). */
export const ANNOUNCE_RETRY_AFTER_MS = 2 * 60_000;

/** The sweep: queues the notices whose queueing failed; returns how many it queued now. */
export async function announcePendingNotices(now = new Date()): Promise<number> {
  const pending = await db.webhookDisableNotice.findMany({
    where: { announcedAt: null, createdAt: { lt: new Date(now.getTime() - ANNOUNCE_RETRY_AFTER_MS) } },
    orderBy: { createdAt: "asc" },
    take: 100,
  });
  let queued = 0;
  for (const n of pending) {
    if (!(await announce(n))) break; // the queue is still down: try again at the next sweep
    await db.webhookDisableNotice.updateMany({
      where: { id: n.id, announcedAt: null },
      data: { announcedAt: new Date() },
    });
    queued++;
  }
  return queued;
}
