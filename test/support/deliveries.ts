import { Webhook as StandardWebhook } from "standardwebhooks";
import { db } from "@/lib/db";
import { waitFor } from "@/test/support/executor";
import type { ReceivedRequest } from "@/test/support/https-receiver";

/** Test helpers for deliveries as a receiver sees them and as the database stores them (imported by *.test.ts only). */

/**
 * Verifies a received request's Standard Webhooks signature with the official
 * library and the endpoint's `whsec_` secret; returns the verified payload and
 * throws when the signature does not match.
 */
export function verifySigned(secret: string, q: ReceivedRequest): unknown {
  return new StandardWebhook(secret.slice("whsec_".length)).verify(q.body, {
    "webhook-id": String(q.headers["webhook-id"]),
    "webhook-timestamp": String(q.headers["webhook-timestamp"]),
    "webhook-signature": String(q.headers["webhook-signature"]),
  });
}

/** The delivery row once it has left `pending` (delivery is asynchronous). */
export const settledDelivery = (id: string, timeoutMs = 30_000) =>
  waitFor(
    async () => {
      const d = await db.delivery.findUnique({ where: { id } });
      return d && d.status !== "pending" ? d : null;
    },
    `delivery ${id} to settle`,
    timeoutMs,
  );
