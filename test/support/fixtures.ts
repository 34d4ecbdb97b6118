import { createApiKey } from "@/lib/auth/api-keys";
import { db } from "@/lib/db";
import type { Delivery, Webhook } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { encryptSecret, generateSecret } from "@/lib/webhooks/secret";

/**
 * Rows written straight to the database for tests that need resources to
 * exist (no probe, no executor), and snapshots of what a request changed.
 */

/** A webhook of the workspace, as create would store it; returns the row and its plaintext secret. */
export async function seedWebhook(
  workspaceId: string,
  opts: { url?: string; events?: string[]; isActive?: boolean } = {},
): Promise<{ webhook: Webhook; secret: string }> {
  const id = newId("whk");
  const secret = generateSecret();
  const webhook = await db.webhook.create({
    data: {
      id,
      workspaceId,
      url: opts.url ?? "https://127.0.0.1:9/webhook",
      events: opts.events ?? ["call.ended"],
      isActive: opts.isActive ?? true,
      secretEncrypted: encryptSecret(secret, id),
    },
  });
  return { webhook, secret };
}

/** A settled (failed, one attempt) delivery of the webhook. */
export async function seedDelivery(webhook: Pick<Webhook, "id" | "workspaceId" | "url">): Promise<Delivery> {
  const id = newId("dlv");
  const payload = JSON.stringify({
    type: "call.ended",
    timestamp: new Date().toISOString(),
    data: { callId: "call_seeded" },
  });
  return db.delivery.create({
    data: {
      id,
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      messageId: newId("msg"),
      eventType: "call.ended",
      kind: "event",
      payload,
      url: webhook.url,
      status: "failed",
      success: false,
      statusCode: 500,
      responseBody: "boom",
      durationMs: 12,
      attemptCount: 1,
      attempts: {
        create: { id: newId("att"), attemptNumber: 1, startedAt: new Date(), statusCode: 500, durationMs: 12 },
      },
    },
  });
}

export type WorkspaceResources = {
  webhookId: string;
  deliveryId: string;
  keyId: string;
  secret: string;
  noticeId: string;
  recoveryId: string;
};

/** A disabled-endpoint notice (the dashboard's banner) of the webhook, as an automatic disable stores it. */
export async function seedNotice(
  webhook: Pick<Webhook, "id" | "workspaceId" | "url">,
  reason = "100 consecutive deliveries failed",
): Promise<string> {
  const notice = await db.webhookDisableNotice.create({
    data: {
      id: newId("ntc"),
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      url: webhook.url,
      reason,
      disabledAt: new Date(),
    },
  });
  return notice.id;
}

/** A finished bulk recovery of the webhook (no replays), covering the last hour. */
export async function seedRecovery(webhook: Pick<Webhook, "id" | "workspaceId">): Promise<string> {
  const now = Date.now();
  const row = await db.recovery.create({
    data: {
      id: newId("rcv"),
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      since: new Date(now - 3600_000),
      until: new Date(now),
      status: "completed",
      total: 0,
      finishedAt: new Date(now),
    },
  });
  return row.id;
}

/** One webhook (with a delivery, a disabled-endpoint notice and a finished recovery) and one extra API key of the workspace. */
export async function seedResources(workspaceId: string, url?: string): Promise<WorkspaceResources> {
  const { webhook, secret } = await seedWebhook(workspaceId, { url });
  const delivery = await seedDelivery(webhook);
  const recoveryId = await seedRecovery(webhook);
  const key = await createApiKey(workspaceId, "seeded");
  const noticeId = await seedNotice(webhook);
  return { webhookId: webhook.id, deliveryId: delivery.id, keyId: key.id, secret, noticeId, recoveryId };
}

export const COUNTED_TABLES = [
  "User",
  "Workspace",
  "ApiKey",
  "Webhook",
  "Event",
  "IdempotencyKey",
  "Delivery",
  "DeliveryAttempt",
  "ExecutorRun",
  "WebhookDisableNotice",
  "OperationalEndpoint",
  "Recovery",
] as const;
export type RowCounts = Record<(typeof COUNTED_TABLES)[number], number>;

/** Row counts of the tables a request could write to, in one round trip. */
export async function rowCounts(): Promise<RowCounts> {
  const select = COUNTED_TABLES.map((t) => `(select count(*)::int from "${t}") as "${t}"`).join(", ");
  const rows = await db.$queryRawUnsafe<RowCounts[]>(`select ${select}`);
  return rows[0]!;
}

/**
 * Everything of one workspace a request could change, as comparable text
 * (lastUsedAt is left out: using a key legitimately touches it).
 */
export async function workspaceState(workspaceId: string): Promise<string> {
  const [webhooks, deliveries, keys, events, idempotency, members, notices, operational, recoveries] =
    await Promise.all([
      db.webhook.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db.delivery.findMany({
        where: { workspaceId },
        orderBy: { id: "asc" },
        include: { attempts: { orderBy: { id: "asc" } } },
      }),
      db.apiKey.findMany({
        where: { workspaceId },
        orderBy: { id: "asc" },
        select: { id: true, name: true, prefix: true, hash: true, revokedAt: true, createdAt: true },
      }),
      db.event.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db.idempotencyKey.findMany({ where: { workspaceId }, orderBy: { key: "asc" } }),
      db.membership.findMany({ where: { workspaceId }, orderBy: { userId: "asc" } }),
      db.webhookDisableNotice.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
      db.operationalEndpoint.findMany({ where: { workspaceId } }),
      db.recovery.findMany({ where: { workspaceId }, orderBy: { id: "asc" } }),
    ]);
  return JSON.stringify({ webhooks, deliveries, keys, events, idempotency, members, notices, operational, recoveries });
}
