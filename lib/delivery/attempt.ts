import { db } from "@/lib/db";
import { recordDeliveryOutcome } from "@/lib/delivery/failure";
import { sendWebhookRequest, type DeliveryResult } from "@/lib/delivery/http-client";
import { retryDelaySeconds } from "@/lib/delivery/schedule";
import { signedHeaders } from "@/lib/delivery/sign";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { decryptSecret } from "@/lib/webhooks/secret";

/**
 * One delivery attempt: re-checks that the webhook still exists and is
 * active, signs the stored payload (same webhook-id every time) with the
 * current secret, POSTs it through the SSRF-safe client to the current URL,
 * records the attempt, and decides what comes next.
 */

export type AttemptOutcome =
  | { done: true; status: "succeeded" | "failed" | "cancelled" }
  | { done: false; retryInSeconds: number };

function describeFailure(r: DeliveryResult): string | null {
  if (r.ok) return null;
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  return `endpoint answered ${r.status ?? "?"}`;
}

async function finishWithout(deliveryId: string, status: "cancelled" | "failed", error: string): Promise<AttemptOutcome> {
  await db.delivery.updateMany({ where: { id: deliveryId, status: "pending" }, data: { status, error, nextAttemptAt: null } });
  return { done: true, status };
}

export async function attemptDelivery(deliveryId: string, attempt: number): Promise<AttemptOutcome> {
  const delivery = await db.delivery.findUnique({ where: { id: deliveryId } });
  if (!delivery) return { done: true, status: "cancelled" };
  if (delivery.status !== "pending") return { done: true, status: delivery.status };
  if (delivery.attemptCount >= attempt) {
    // This attempt was recorded before a crash: resume from the stored decision instead of sending again.
    const wait = delivery.nextAttemptAt ? Math.max(0, (delivery.nextAttemptAt.getTime() - Date.now()) / 1000) : 0;
    return { done: false, retryInSeconds: wait };
  }

  const webhook = await db.webhook.findFirst({ where: { id: delivery.webhookId, workspaceId: delivery.workspaceId } });
  if (!webhook) return finishWithout(deliveryId, "cancelled", "webhook was deleted");
  if (!webhook.isActive && delivery.kind === "event") {
    return finishWithout(deliveryId, "cancelled", `endpoint is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ""}`);
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
    result.ok || gone || delivery.kind !== "event" ? null : retryDelaySeconds(attempt, honoursRetryAfter ? result.retryAfterSeconds : undefined);
  const final = retryIn === null;
  const status = result.ok ? "succeeded" : final ? "failed" : "pending";
  const error = describeFailure(result);

  await db.$transaction(async (tx) => {
    await tx.deliveryAttempt.createMany({
      data: [{ id: newId("att"), deliveryId, attemptNumber: attempt, startedAt, statusCode: result.status ?? null, durationMs: result.durationMs, error }],
      skipDuplicates: true,
    });
    await tx.delivery.update({
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
        nextAttemptAt: retryIn === null ? null : new Date(Date.now() + retryIn * 1000),
      },
    });
    await tx.webhook.updateMany({ where: { id: webhook.id }, data: { lastTriggeredAt: startedAt } });
    if (final) await recordDeliveryOutcome(tx, webhook.id, { success: result.ok, gone, at: startedAt });
  });

  return retryIn === null ? { done: true, status: result.ok ? "succeeded" : "failed" } : { done: false, retryInSeconds: retryIn };
}
