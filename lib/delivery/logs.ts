import type { z } from "zod";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import { deliveryIdSchema, type listDeliveriesQuerySchema } from "@/lib/delivery/schemas";
import { toDeliveryView } from "@/lib/delivery/view";
import type { Prisma } from "@/lib/generated/prisma/client";
import { webhookIdSchema } from "@/lib/webhooks/schemas";

/**
 * Delivery logs of one webhook, newest first. Reads are scoped by workspace
 * and webhook id; the webhook may already be deleted (logs are retained).
 */

export async function listDeliveries(
  workspaceId: string,
  webhookId: string,
  q: z.output<typeof listDeliveriesQuerySchema>,
) {
  const where: Prisma.DeliveryWhereInput = {
    workspaceId,
    webhookId,
    ...(q.success === undefined ? {} : { success: q.success }),
    ...(q.eventType ? { eventType: q.eventType } : {}),
  };
  const orderBy: Prisma.DeliveryOrderByWithRelationInput[] = [{ createdAt: "desc" }, { id: "desc" }];
  // The page's ids first, then only those rows with their attempts: the OFFSET walks index entries
  // (an index-only scan), not rows, however deep the page. The exact count is index-only too: the
  // indexes on Delivery cover every filter here, workspaceId included (prisma/schema.prisma).
  const [ids, total] = await Promise.all([
    db.delivery.findMany({ where, orderBy, skip: (q.page - 1) * q.limit, take: q.limit, select: { id: true } }),
    db.delivery.count({ where }),
  ]);
  const rows = ids.length
    ? await db.delivery.findMany({
        where: { workspaceId, webhookId, id: { in: ids.map((r) => r.id) } },
        orderBy,
        include: { attempts: true },
      })
    : [];
  return {
    data: rows.map(toDeliveryView),
    pagination: { page: q.page, limit: q.limit, total, totalPages: Math.ceil(total / q.limit) },
  };
}

export async function findDeliveryOrThrow(workspaceId: string, webhookId: string, deliveryId: string) {
  const row =
    deliveryIdSchema.safeParse(deliveryId).success && webhookIdSchema.safeParse(webhookId).success
      ? await db.delivery.findFirst({ where: { id: deliveryId, webhookId, workspaceId }, include: { attempts: true } })
      : null;
  if (!row) throw notFound("Delivery");
  return row;
}

/**
 * The webhook must be the workspace's — or, once deleted, have left logs in
 * that workspace (they stay readable until retention purges them). Else 404.
 */
export async function assertWebhookLogsVisible(workspaceId: string, webhookId: string): Promise<void> {
  if (!webhookIdSchema.safeParse(webhookId).success) throw notFound("Webhook"); // a malformed id (e.g. with NUL) never reaches the database
  const [webhook, delivery] = await Promise.all([
    db.webhook.findFirst({ where: { id: webhookId, workspaceId }, select: { id: true } }),
    db.delivery.findFirst({ where: { webhookId, workspaceId }, select: { id: true } }),
  ]);
  if (!webhook && !delivery) throw notFound("Webhook");
}
