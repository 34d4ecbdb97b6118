import { db } from "@/lib/db";
import type { OperationalEventRequestedData } from "@/lib/jobs/events";
import { log } from "@/lib/log";
import { sendWebhookRequest } from "@/lib/outbound/http-client";
import { signedHeaders } from "@/lib/outbound/sign";
import { probeFailureReason } from "@/lib/webhooks/probe";
import { decryptSecret } from "@/lib/webhooks/secret";
import { env } from "@/lib/env";

/** An attempt the operational endpoint did not accept: the job retries it. */
export class OperationalSendError extends Error {
  override name = "OperationalSendError";
}

/**
 * One attempt to deliver an operational event to the workspace's operational
 * webhook, through the one delivery HTTP client (SSRF-pinned, TLS verified),
 * signed with that endpoint's own secret; the `webhook-id` is the same on
 * every attempt. No endpoint (never set, or removed since): nothing is sent.
 * Anything but a 2xx or a 410 throws, so the job retries with backoff; a 410
 * Gone is final (the receiver asks us to stop sending this event).
 */
export async function sendOperationalEvent(
  e: OperationalEventRequestedData,
): Promise<{ sent: false; reason: "no_operational_endpoint" | "gone" } | { sent: true; status: number }> {
  const endpoint = await db.operationalEndpoint.findUnique({ where: { workspaceId: e.workspaceId } });
  if (!endpoint) return { sent: false, reason: "no_operational_endpoint" };
  const body = JSON.stringify({ type: e.type, timestamp: e.timestamp, data: e.data });
  const result = await sendWebhookRequest({
    url: endpoint.url,
    body,
    headers: signedHeaders(decryptSecret(endpoint.secretEncrypted, endpoint.id), e.messageId, body),
  });
  const fields = { workspaceId: e.workspaceId, type: e.type, messageId: e.messageId, status: result.status };
  if (result.ok) {
    log.info("operational event delivered", fields);
    return { sent: true, status: result.status ?? 200 };
  }
  const reason = probeFailureReason(result, env().WEBHOOK_TIMEOUT_MS);
  log.warn("operational event not accepted", { ...fields, reason });
  if (result.status === 410) return { sent: false, reason: "gone" };
  throw new OperationalSendError(`the operational endpoint did not accept ${e.type}: ${reason}`);
}
