import type { Delivery, DeliveryAttempt } from "@/lib/generated/prisma/client";
import type { DeliveryView } from "@/lib/delivery/schemas";

export type DeliveryWithAttempts = Delivery & { attempts: DeliveryAttempt[] };

function parsePayload(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

export function toDeliveryView(d: DeliveryWithAttempts): DeliveryView {
  return {
    id: d.id,
    webhookId: d.webhookId,
    messageId: d.messageId,
    eventId: d.eventId,
    eventType: d.eventType,
    kind: d.kind,
    replayOf: d.replayOfId,
    status: d.status,
    payload: parsePayload(d.payload),
    url: d.url,
    success: d.success,
    statusCode: d.statusCode,
    response:
      d.statusCode === null
        ? null
        : {
            status: d.statusCode,
            headers: (d.responseHeaders ?? {}) as Record<string, string>,
            body: d.responseBody ?? "",
            bodyTruncated: d.responseBodyTruncated,
          },
    durationMs: d.durationMs,
    attempts: [...d.attempts]
      .sort((x, y) => x.attemptNumber - y.attemptNumber)
      .map((a) => ({
        attempt: a.attemptNumber,
        at: a.startedAt.toISOString(),
        statusCode: a.statusCode,
        durationMs: a.durationMs,
        error: a.error,
      })),
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
  };
}
