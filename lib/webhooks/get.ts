import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import type { Webhook } from "@/lib/generated/prisma/client";
import { webhookIdSchema } from "@/lib/webhooks/schemas";

/** Loads a webhook of the workspace; another workspace's (or a malformed id) is a 404. */
export async function findWebhookOrThrow(workspaceId: string, id: string): Promise<Webhook> {
  const row = webhookIdSchema.safeParse(id).success ? await db.webhook.findFirst({ where: { id, workspaceId } }) : null;
  if (!row) throw notFound("Webhook");
  return row;
}
