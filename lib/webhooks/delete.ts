import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import { announceWebhookDeleted } from "@/lib/jobs";
import { log } from "@/lib/log";
import { webhookIdSchema } from "@/lib/webhooks/schemas";

/**
 * Hard-deletes the subscription. Its pending deliveries and running
 * recoveries are cancelled at once (and their runs cancelled via `webhooks/webhook.deleted`;
 * every attempt also re-checks that the webhook exists). The delivery
 * history stays (no foreign key) until the retention job purges it.
 */
export async function deleteWebhook(workspaceId: string, id: string): Promise<{ id: string; deleted: true }> {
  if (!webhookIdSchema.safeParse(id).success) throw notFound("Webhook");
  const deleted = await db.$transaction(async (tx) => {
    const res = await tx.webhook.deleteMany({ where: { id, workspaceId } });
    if (res.count === 0) return false;
    await tx.delivery.updateMany({
      where: { webhookId: id, workspaceId, status: "pending" },
      data: { status: "cancelled", error: "webhook was deleted", nextAttemptAt: null },
    });
    await tx.recovery.updateMany({
      where: { webhookId: id, workspaceId, status: "running" },
      data: { status: "cancelled", error: "webhook was deleted", finishedAt: new Date() },
    });
    return true;
  });
  if (!deleted) throw notFound("Webhook");
  await announceWebhookDeleted({ webhookId: id, workspaceId }).catch((err: unknown) => {
    // The attempts' own existence check still stops them; this only makes it immediate.
    log.warn("could not send webhook.deleted", { webhookId: id, err });
  });
  return { id, deleted: true };
}
