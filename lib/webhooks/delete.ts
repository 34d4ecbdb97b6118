import { notFound } from "@/lib/api/errors";
import { db } from "@/lib/db";
import { webhookIdSchema } from "@/lib/webhooks/schemas";

/**
 * Hard-deletes the subscription. Its delivery history stays (no foreign key)
 * until the retention job purges it.
 */
export async function deleteWebhook(workspaceId: string, id: string): Promise<{ id: string; deleted: true }> {
  const res = webhookIdSchema.safeParse(id).success ? await db.webhook.deleteMany({ where: { id, workspaceId } }) : { count: 0 };
  if (res.count === 0) throw notFound("Webhook");
  return { id, deleted: true };
}
