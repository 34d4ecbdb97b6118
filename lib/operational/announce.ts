import { createHash } from "node:crypto";
import { newId } from "@/lib/ids";
import { requestOperationalEvent } from "@/lib/jobs";
import type { OperationalEventRequestedData } from "@/lib/jobs/events";
import {
  findOperationalEvent,
  type OperationalEventDataInput,
  type OperationalEventType,
} from "@/lib/operational/events";

/**
 * The request of one operational event: validated data, its `webhook-id`
 * and the id of the job. With a `key` (e.g. a recovery's id) both are
 * derived from it, so announcing the same thing twice (a retried caller, a
 * resumed run) sends it once; without one, each call is a new event.
 */
export function operationalEventRequest<T extends OperationalEventType>(
  workspaceId: string,
  type: T,
  data: OperationalEventDataInput<T>,
  opts: { key?: string; at?: Date } = {},
): { id: string; data: OperationalEventRequestedData } {
  const parsed = findOperationalEvent(type).schema.parse(data) as Record<string, unknown>;
  const messageId = opts.key
    ? `msg_${createHash("sha256").update(`${workspaceId}\n${type}\n${opts.key}`).digest("base64url").slice(0, 26)}`
    : newId("msg");
  return {
    id: `operational-${messageId}`,
    data: { workspaceId, messageId, type, timestamp: (opts.at ?? new Date()).toISOString(), data: parsed },
  };
}

/**
 * Sends a signed operational event (Standard Webhooks, the operational
 * endpoint's own secret) to the workspace's operational webhook, if it has
 * one: durably, through a job with retries (inngest/functions/operational).
 * Resolves once the job is accepted; a workspace without an operational
 * endpoint at send time gets nothing.
 *
 *   await announceOperationalEvent(workspaceId, "webhook.recovered",
 *     { webhookId, recoveryId, total, succeeded, failed, since, until }, { key: recoveryId });
 */
export async function announceOperationalEvent<T extends OperationalEventType>(
  workspaceId: string,
  type: T,
  data: OperationalEventDataInput<T>,
  opts: { key?: string; at?: Date } = {},
): Promise<{ messageId: string }> {
  const req = operationalEventRequest(workspaceId, type, data, opts);
  await requestOperationalEvent(req.id, req.data);
  return { messageId: req.data.messageId };
}
