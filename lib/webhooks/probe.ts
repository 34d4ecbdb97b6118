import { ApiError } from "@/lib/errors";
import { sendWebhookRequest, type DeliveryResult } from "@/lib/outbound/http-client";
import { signedHeaders } from "@/lib/outbound/sign";
import { env } from "@/lib/env";
import { PROBE_EVENT_TYPE } from "@/lib/events/catalog";
import { newId } from "@/lib/ids";

/**
 * The probe: a signed `webhook.probe` POST sent on create, URL change and
 * re-enable. A 2xx within WEBHOOK_PROBE_TIMEOUT_MS (10 s) passes; anything
 * else is a 400 that says why.
 */

export function probeFailureReason(result: DeliveryResult, timeoutMs: number): string {
  if (result.error) {
    switch (result.error.kind) {
      case "blocked":
        return `the URL resolves to an address webhooks may not target (${result.error.message})`;
      case "timeout":
        return `your endpoint did not answer within ${Math.round(timeoutMs / 1000)} s`;
      case "tls":
        return `TLS error: ${result.error.message}`;
      case "connection_refused":
        return "connection refused: nothing is listening at that address";
      case "dns":
        return `the host name could not be resolved (${result.error.message})`;
      case "redirect":
        return `your endpoint answered ${result.status ?? "a redirect"}; redirects are not followed`;
      default:
        return `${result.error.kind === "reset" ? "the connection was reset" : "network error"}: ${result.error.message}`;
    }
  }
  return `your endpoint answered ${result.status ?? "?"}; a 2xx is required`;
}

export async function probeEndpoint(args: { url: string; secret: string; webhookId: string }): Promise<void> {
  const timeoutMs = env().WEBHOOK_PROBE_TIMEOUT_MS;
  const body = JSON.stringify({
    type: PROBE_EVENT_TYPE,
    timestamp: new Date().toISOString(),
    data: { webhookId: args.webhookId, message: "Akol Webhooks is checking that this endpoint accepts deliveries." },
  });
  const result = await sendWebhookRequest({
    url: args.url,
    body,
    headers: signedHeaders(args.secret, newId("msg"), body),
    timeoutMs,
  });
  if (!result.ok) {
    const reason = probeFailureReason(result, timeoutMs);
    throw new ApiError(400, "probe_failed", `Probe failed: ${reason}`, [{ field: "url", message: reason }]);
  }
}
