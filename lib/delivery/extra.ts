import { db } from "@/lib/db";
import { toDeliveryView } from "@/lib/delivery/view";
import type { DeliveryView } from "@/lib/delivery/schemas";
import type { Webhook } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { requestDelivery } from "@/lib/jobs";
import { log } from "@/lib/log";

/**
 * The one place that creates a delivery outside the fan-out — a test event
 * or a replay — and requests its run. Sent once, never retried. The row is
 * written first; if the request cannot be handed to the jobs (the event send
 * fails), the delivery stays `pending` and the sweep (lib/delivery/sweep.ts)
 * requests it again with the same request id, so it is still sent, once, and
 * settled.
 */
export async function createExtraDelivery(
  webhook: Pick<Webhook, "id" | "workspaceId" | "url">,
  fields: {
    kind: "test" | "replay";
    messageId: string;
    eventType: string;
    payload: string;
    eventId?: string | null;
    replayOfId?: string;
  },
): Promise<DeliveryView> {
  const row = await db.delivery.create({
    data: {
      id: newId("dlv"),
      workspaceId: webhook.workspaceId,
      webhookId: webhook.id,
      url: webhook.url,
      nextAttemptAt: new Date(),
      ...fields,
    },
    include: { attempts: true },
  });
  try {
    await requestDelivery({ deliveryId: row.id, webhookId: webhook.id, kind: fields.kind });
  } catch (err) {
    log.error("could not request a delivery; the sweep will request it again", { deliveryId: row.id, err });
  }
  return toDeliveryView(row);
}
