import { db } from "@/lib/db";
import { toWebhookView } from "@/lib/webhooks/view";

export async function listWebhooks(workspaceId: string) {
  const rows = await db.webhook.findMany({ where: { workspaceId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return rows.map(toWebhookView);
}
