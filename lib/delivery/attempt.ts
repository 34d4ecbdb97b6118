import { db } from "@/lib/db";
import { recordDeliveryOutcome } from "@/lib/delivery/failure";
import { sendWebhookRequest, type DeliveryResult } from "@/lib/outbound/http-client";
import { retryDelaySeconds } from "@/lib/delivery/schedule";
import { signedHeaders } from "@/lib/outbound/sign";
import { env } from "@/lib/env";
import type { Delivery, Prisma, Webhook } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { decryptSecret } from "@/lib/webhooks/secret";

/**
 * One delivery attempt: re-checks that the webhook still exists and is
 * active, signs the stored payload (same webhook-id every time) with the
 * current secret, POSTs it through the SSRF-safe client to the current URL,
 * records the attempt, and decides what comes next.
 */

export type AttemptOutcome =
  { done: true; status: "succeeded" | "failed" | "cancelled" } | { done: false; retryInSeconds: number };

function describeFailure(r: DeliveryResult): string | null {
  if (r.ok) return null;
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  return `endpoint answered ${r.status ?? "?"}`;
}

async function finishWithout(
  deliveryId: string,
  status: "cancelled" | "failed",
  error: string,
): Promise<AttemptOutcome> {
  await db.delivery.updateMany({
    where: { id: deliveryId, status: "pending" },
    data: { status, error, nextAttemptAt: null },
  });
  return { done: true, status };
}

/** The delivery and its webhook (same workspace; null fields when deleted), in one round trip. */
type Loaded = Pick<Delivery, "status" | "attemptCount" | "nextAttemptAt" | "kind" | "payload" | "messageId"> & {
  webhook: Pick<Webhook, "id" | "url" | "isActive" | "disabledReason" | "secretEncrypted"> | null;
};

async function load(deliveryId: string): Promise<Loaded | undefined> {
  const rows = await db.$queryRaw<
    Array<Omit<Loaded, "webhook"> & { webhookId: string | null } & Omit<NonNullable<Loaded["webhook"]>, "id">>
  >`
    SELECT d.status::text AS status, d."attemptCount", d."nextAttemptAt", d.kind::text AS kind, d.payload, d."messageId",
           w.id AS "webhookId", w.url, w."isActive", w."disabledReason", w."secretEncrypted"
      FROM "Delivery" d LEFT JOIN "Webhook" w ON w.id = d."webhookId" AND w."workspaceId" = d."workspaceId"
     WHERE d.id = ${deliveryId}`;
  const r = rows[0];
  if (!r) return undefined;
  const { webhookId, url, isActive, disabledReason, secretEncrypted, ...delivery } = r;
  return {
    ...delivery,
    webhook: webhookId === null ? null : { id: webhookId, url, isActive, disabledReason, secretEncrypted },
  };
}

export async function attemptDelivery(deliveryId: string, attempt: number): Promise<AttemptOutcome> {
  const delivery = await load(deliveryId);
  if (!delivery) return { done: true, status: "cancelled" };
  if (delivery.status !== "pending") return { done: true, status: delivery.status };
  if (delivery.attemptCount >= attempt) {
    // This attempt was recorded before a crash: resume from the stored decision instead of sending again.
    const wait = delivery.nextAttemptAt ? Math.max(0, (delivery.nextAttemptAt.getTime() - Date.now()) / 1000) : 0;
    return { done: false, retryInSeconds: wait };
  }

  const webhook = delivery.webhook;
  if (!webhook) return finishWithout(deliveryId, "cancelled", "webhook was deleted");
  if (!webhook.isActive && delivery.kind === "event") {
    return finishWithout(
      deliveryId,
      "cancelled",
      `endpoint is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ""}`,
    );
  }

  const secret = decryptSecret(webhook.secretEncrypted, webhook.id);
  const startedAt = new Date();
  const result = await sendWebhookRequest({
    url: webhook.url,
    body: delivery.payload,
    headers: signedHeaders(secret, delivery.messageId, delivery.payload, startedAt),
    timeoutMs: env().WEBHOOK_TIMEOUT_MS,
  });

  const gone = result.status === 410;
  const honoursRetryAfter = result.status === 429 || result.status === 503;
  const retryIn =
    result.ok || gone || delivery.kind !== "event"
      ? null
      : retryDelaySeconds(attempt, honoursRetryAfter ? result.retryAfterSeconds : undefined);
  const final = retryIn === null;
  const status = result.ok ? "succeeded" : final ? "failed" : "pending";
  const error = describeFailure(result);

  const nextAttemptAt = retryIn === null ? null : new Date(Date.now() + retryIn * 1000);
  const attemptRow: Prisma.DeliveryAttemptCreateManyArgs = {
    data: [
      {
        id: newId("att"),
        deliveryId,
        attemptNumber: attempt,
        startedAt,
        statusCode: result.status ?? null,
        durationMs: result.durationMs,
        error,
      },
    ],
    skipDuplicates: true,
  };
  const deliveryUpdate: Prisma.DeliveryUpdateArgs = {
    where: { id: deliveryId },
    data: {
      url: webhook.url,
      attemptCount: attempt,
      status,
      success: result.ok,
      statusCode: result.status ?? null,
      responseHeaders: result.headers ?? undefined,
      responseBody: result.body ?? null,
      responseBodyTruncated: result.bodyTruncated,
      durationMs: result.durationMs,
      error,
      nextAttemptAt,
    },
  };
  if (final && !result.ok) {
    // A failed delivery extends the endpoint's failure streak, which may disable it: read-modify-write.
    await db.$transaction(async (tx) => {
      await tx.deliveryAttempt.createMany(attemptRow);
      await tx.delivery.update(deliveryUpdate);
      await tx.webhook.updateMany({ where: { id: webhook.id }, data: { lastTriggeredAt: startedAt } });
      await recordDeliveryOutcome(tx, webhook.id, { success: false, gone, at: startedAt });
    });
  } else {
    // The hot path (a success, or a failure with a retry ahead): the attempt, the delivery and the
    // webhook's lastTriggeredAt in ONE statement (atomic by itself: one round trip instead of five,
    // no BEGIN/COMMIT), one write of the webhook row; a success also resets the failure streak (what
    // recordDeliveryOutcome does for a success). The same writes as the branch above, at a third of
    // its CPU (scripts/bench/delivery.ts). `updatedAt` is set as Prisma's @updatedAt would set it.
    const now = new Date();
    await db.$executeRaw`
      WITH attempt AS (
        INSERT INTO "DeliveryAttempt" (id, "deliveryId", "attemptNumber", "startedAt", "statusCode", "durationMs", error)
        VALUES (${newId("att")}, ${deliveryId}, ${attempt}, ${startedAt}, ${result.status ?? null}::int, ${result.durationMs}, ${error})
        ON CONFLICT DO NOTHING
      ), hook AS (
        UPDATE "Webhook"
           SET "lastTriggeredAt" = ${startedAt}, "updatedAt" = ${now},
               "failureCount" = CASE WHEN ${final} THEN 0 ELSE "failureCount" END,
               "failingSince" = CASE WHEN ${final} THEN NULL ELSE "failingSince" END
         WHERE id = ${webhook.id}
      )
      UPDATE "Delivery"
         SET url = ${webhook.url}, "attemptCount" = ${attempt}, status = ${status}::"DeliveryStatus", success = ${result.ok},
             "statusCode" = ${result.status ?? null}::int,
             "responseHeaders" = COALESCE(${result.headers ? JSON.stringify(result.headers) : null}::jsonb, "responseHeaders"),
             "responseBody" = ${result.body ?? null}, "responseBodyTruncated" = ${result.bodyTruncated},
             "durationMs" = ${result.durationMs}, error = ${error}, "nextAttemptAt" = ${nextAttemptAt},
             "updatedAt" = ${now}
       WHERE id = ${deliveryId}`;
  }

  return retryIn === null
    ? { done: true, status: result.ok ? "succeeded" : "failed" }
    : { done: false, retryInSeconds: retryIn };
}
