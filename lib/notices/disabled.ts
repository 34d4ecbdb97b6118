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
 * committed with the disable itself) and queues, in one job send, the email
 * to the workspace's members and the operational `webhook.disabled` event;
 * both are sent by Inngest functions with retries, never here, so SMTP or a
 * slow operational endpoint can neither block nor break the accounting.
 *
 * Durable: the row records whether queueing succeeded (`announcedAt`). If it
 * failed (the queue unreachable), the error is logged, the disable stands,
 * and the sweep (announcePendingNotices, every 5 minutes) queues it again;
 * the job ids derive from the notice id, so a notice is announced once.
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
  const announced = await announce(notice);
  await tx.webhookDisableNotice.create({ data: { ...notice, announcedAt: announced ? new Date() : null } });
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
    await db.webhookDisableNotice.update({ where: { id: n.id }, data: { announcedAt: new Date() } });
    queued++;
  }
  return queued;
}
