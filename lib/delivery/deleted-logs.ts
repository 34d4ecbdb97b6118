import { z } from "zod";
import { db } from "@/lib/db";

/**
 * The webhooks of a workspace that were deleted but still have delivery logs
 * (kept until retention, DELIVERY_RETENTION_DAYS): what the dashboard lists
 * under "Deleted endpoints" so their logs stay reachable. Each log is read
 * with GET /api/v1/webhooks/:id/deliveries as before.
 */

export const deletedWebhookLogSchema = z.object({
  webhookId: z.string(),
  url: z.string().describe("The URL of its most recent delivery"),
  lastDeliveryAt: z.iso.datetime().describe("When its most recent retained delivery was created"),
});
export type DeletedWebhookLog = z.infer<typeof deletedWebhookLogSchema>;

const LIMIT = 100;

type Row = { webhookId: string; url: string; lastDeliveryAt: Date };

/**
 * Newest first, at most 100. The distinct webhook ids of the delivery log are
 * walked with a loose index scan (one index probe per webhook id on the
 * `(webhookId, workspaceId, createdAt)` index, not one row per delivery), so
 * the cost follows the number of webhooks, not of deliveries.
 */
export async function listDeletedWebhookLogs(workspaceId: string): Promise<DeletedWebhookLog[]> {
  const rows = await db.$queryRaw<Row[]>`
    WITH RECURSIVE ids AS (
      (SELECT d."webhookId" AS id FROM "Delivery" d ORDER BY d."webhookId" LIMIT 1)
      UNION ALL
      SELECT (SELECT d."webhookId" FROM "Delivery" d WHERE d."webhookId" > ids.id ORDER BY d."webhookId" LIMIT 1)
      FROM ids WHERE ids.id IS NOT NULL
    )
    SELECT ids.id AS "webhookId", last.url, last."createdAt" AS "lastDeliveryAt"
    FROM ids
    CROSS JOIN LATERAL (
      SELECT d.url, d."createdAt"
      FROM "Delivery" d
      WHERE d."webhookId" = ids.id AND d."workspaceId" = ${workspaceId}
      ORDER BY d."createdAt" DESC, d."id" DESC
      LIMIT 1
    ) last
    WHERE ids.id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM "Webhook" w WHERE w."id" = ids.id AND w."workspaceId" = ${workspaceId})
    ORDER BY last."createdAt" DESC, ids.id DESC
    LIMIT ${LIMIT}
  `;
  return rows.map((r) => ({
    webhookId: r.webhookId,
    url: r.url,
    lastDeliveryAt: r.lastDeliveryAt.toISOString(),
  }));
}
