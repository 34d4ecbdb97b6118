import { z } from "zod";
import { db } from "@/lib/db";
import { notFound } from "@/lib/errors";

/**
 * The dashboard's disabled-endpoint banners: one per automatic disable that
 * is still in force (the webhook exists and is still disabled) and that no
 * member of the workspace has dismissed. Dismissal is per workspace (one
 * member's dismissal hides it for all); a later automatic disable of the same
 * endpoint is a new notice, shown again. Re-enabling hides it too.
 */

export const noticeViewSchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  url: z.string().describe("The webhook's URL when it was disabled"),
  reason: z.string(),
  disabledAt: z.iso.datetime(),
});
export type NoticeView = z.infer<typeof noticeViewSchema>;

export const noticeIdSchema = z.string().regex(/^ntc_[0-9A-Za-z]{10,40}$/);

export async function listActiveNotices(workspaceId: string): Promise<NoticeView[]> {
  const rows = await db.webhookDisableNotice.findMany({
    where: { workspaceId, dismissedAt: null, webhook: { isActive: false } },
    include: { webhook: { select: { disabledAt: true } } },
    orderBy: [{ disabledAt: "desc" }, { id: "desc" }],
    take: 100,
  });
  // Only the notice of the disable in force: an earlier one ended when the endpoint was re-enabled.
  return rows
    .filter((r) => r.disabledAt.getTime() === r.webhook.disabledAt?.getTime())
    .map((r) => ({
      id: r.id,
      webhookId: r.webhookId,
      url: r.url,
      reason: r.reason,
      disabledAt: r.disabledAt.toISOString(),
    }));
}

/** Dismisses one notice for the whole workspace (idempotent); another workspace's notice is a 404. */
export async function dismissNotice(
  workspaceId: string,
  noticeId: string,
  by: string,
): Promise<{ id: string; dismissed: true }> {
  if (!noticeIdSchema.safeParse(noticeId).success) throw notFound("Notice");
  const notice = await db.webhookDisableNotice.findFirst({
    where: { id: noticeId, workspaceId },
    select: { id: true },
  });
  if (!notice) throw notFound("Notice");
  await db.webhookDisableNotice.updateMany({
    where: { id: noticeId, workspaceId, dismissedAt: null },
    data: { dismissedAt: new Date(), dismissedBy: by },
  });
  return { id: noticeId, dismissed: true };
}
