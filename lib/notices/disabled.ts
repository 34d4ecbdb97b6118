import type { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { announceWebhookAutoDisabled } from "@/lib/jobs";
import { log } from "@/lib/log";
import { operationalEventRequest } from "@/lib/operational/announce";

/**
 * The notices of an automatic disable (issue 14): called by the failure
 * accounting (lib/delivery/failure.ts) in the transaction that disables the
 * endpoint. It stores the dashboard's banner (a WebhookDisableNotice row,
 * committed with the disable itself) and queues, in one durable job send,
 * the email to the workspace's members and the operational `webhook.disabled`
 * event; both are sent by Inngest functions with retries, never here, so
 * SMTP or a slow operational endpoint can neither block nor break the
 * accounting. If queueing fails the error is logged and the disable stands.
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
  const notice = await tx.webhookDisableNotice.create({
    data: {
      id: newId("ntc"),
      workspaceId: webhook.workspaceId,
      webhookId: disable.webhookId,
      url: webhook.url,
      reason: disable.reason,
      disabledAt: disable.at,
    },
  });
  const data = {
    noticeId: notice.id,
    workspaceId: notice.workspaceId,
    webhookId: notice.webhookId,
    url: notice.url,
    reason: notice.reason,
    disabledAt: notice.disabledAt.toISOString(),
  };
  try {
    await announceWebhookAutoDisabled(
      data,
      operationalEventRequest(
        notice.workspaceId,
        "webhook.disabled",
        { webhookId: data.webhookId, url: data.url, reason: data.reason, disabledAt: data.disabledAt },
        { key: notice.id, at: disable.at },
      ),
    );
  } catch (err) {
    log.error("could not queue the email and operational event of a disabled endpoint (the banner still shows)", {
      webhookId: notice.webhookId,
      noticeId: notice.id,
      err,
    });
  }
}
