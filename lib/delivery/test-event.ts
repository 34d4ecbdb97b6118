import { createExtraDelivery } from "@/lib/delivery/extra";
import { findEventType } from "@/lib/events/catalog";
import type { Webhook } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";

/**
 * Sends the catalog's example payload of any type to a webhook (subscribed
 * to it or not), through the same pipeline, marked `"test": true` in the
 * body and `kind: "test"` in the log. Tests are not retried.
 */
export async function sendTestEvent(webhook: Webhook, type: string) {
  const def = findEventType(type);
  if (!def) throw new Error(`unknown event type ${type}`); // unreachable: validated by the route
  const payload = JSON.stringify({ type, timestamp: new Date().toISOString(), test: true, data: def.example });
  return createExtraDelivery(webhook, { kind: "test", messageId: newId("msg"), eventType: type, payload });
}
