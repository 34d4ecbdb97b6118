import { createHash } from "node:crypto";
import type { QueryResultRow } from "pg";
import { inngest } from "@/inngest/client";
import { embeddedRegistry } from "@/inngest/embedded/client";
import { pool } from "@/lib/db";
import { settings, usesEmbeddedExecutor } from "@/lib/env";
import { newId } from "@/lib/ids";
import {
  deliveryRequest,
  EVENT_PUBLISHED,
  OPERATIONAL_EVENT_REQUESTED,
  RECOVERY_REQUESTED,
  WEBHOOK_AUTO_DISABLED,
  WEBHOOK_DELETED,
  type DeliveryRequestedData,
  type EventPublishedData,
  type OperationalEventRequestedData,
  type RecoveryRequestedData,
  type WebhookAutoDisabledData,
  type WebhookDeletedData,
} from "@/lib/jobs/events";

/**
 * The one door from lib/ to the background jobs (Inngest functions, run by
 * Inngest or the embedded executor): typed calls instead of raw
 * `inngest.send`. Each resolves once the event is durably accepted.
 */

/** Hands a published event to the fan-out (once per event id). */
export async function announceEventPublished(data: EventPublishedData): Promise<void> {
  await inngest.send({ id: data.eventId, name: EVENT_PUBLISHED, data });
}

/**
 * A statement `WITH <ctes> <select>` with parameters `$1…$n` (`values` in order). Its CTEs may modify data
 * (e.g. insert the event row).
 */
export type EventStatement = { ctes: string; select: string; values: unknown[] };

/**
 * Runs `statement` and hands the published event to the fan-out, like announceEventPublished after it.
 * On the embedded executor, when this process runs no executor (the production app: the executor is its
 * worker process), the hand-over is a row in the same database (inngest/embedded/store's
 * `unroutedInsert`, the row `inngest.send` would write through the embedded client): it rides in the
 * statement itself as one more CTE, so the event row and its hand-over are written atomically in one round
 * trip, without the SDK's send. Otherwise (Inngest server, an executor in this process) the statement runs
 * and then `inngest.send`.
 */
export async function runAndAnnounceEventPublished<R extends QueryResultRow>(
  data: EventPublishedData,
  statement: EventStatement,
): Promise<R[]> {
  if (usesEmbeddedExecutor(settings()) && !embeddedRegistry().intakes.some((i) => i.accepting)) {
    const { normalizeEvent, unroutedInsert } = await embeddedStore();
    const event = normalizeEvent({ id: data.eventId, name: EVENT_PUBLISHED, data }, Date.now());
    const handover = unroutedInsert(newId("route"), [event], statement.values.length);
    const text = `WITH ${statement.ctes}, handover AS (${handover.text}) ${statement.select}`;
    // A named (prepared) statement: PostgreSQL parses and plans it once per connection.
    const { rows } = await pool().query<R>({
      name: statementName(text),
      text,
      values: [...statement.values, ...handover.values],
    });
    return rows;
  }
  const { rows } = await pool().query<R>(`WITH ${statement.ctes} ${statement.select}`, statement.values);
  await announceEventPublished(data);
  return rows;
}

const statementNames = new Map<string, string>();

/** A prepared statement's name for `text` (one per distinct text, so a name never meets another text). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `akol-publish-${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

let storeModules: Promise<{
  normalizeEvent: typeof import("@/inngest/embedded/router").normalizeEvent;
  unroutedInsert: typeof import("@/inngest/embedded/store").unroutedInsert;
}> | null = null;

/** Loaded on first use, as the embedded client's own hand-over does (no executor code at import). */
function embeddedStore() {
  storeModules ??= Promise.all([import("@/inngest/embedded/router"), import("@/inngest/embedded/store")]).then(
    ([router, store]) => ({ normalizeEvent: router.normalizeEvent, unroutedInsert: store.unroutedInsert }),
  );
  return storeModules;
}

/** Starts the delivery run of one delivery row (once per delivery and key; see deliveryRequest). */
export async function requestDelivery(data: DeliveryRequestedData, key?: string): Promise<void> {
  await inngest.send(deliveryRequest(data, key));
}

/** Starts the delivery runs of many delivery rows in one send (each idempotent like requestDelivery). */
export async function requestDeliveries(list: DeliveryRequestedData[]): Promise<void> {
  if (list.length > 0) await inngest.send(list.map((data) => deliveryRequest(data)));
}

/** Starts a bulk recovery's run (once per recovery id). */
export async function requestRecovery(data: RecoveryRequestedData): Promise<void> {
  await inngest.send({ id: `recover-${data.recoveryId}`, name: RECOVERY_REQUESTED, data });
}

/** Cancels the runs of a deleted webhook's deliveries at once (cancelOn). */
export async function announceWebhookDeleted(data: WebhookDeletedData): Promise<void> {
  await inngest.send({ name: WEBHOOK_DELETED, data });
}

/**
 * An endpoint was disabled automatically: emails its workspace's members and
 * sends the operational `webhook.disabled` event, in one durable send (once
 * per notice; the operational event's own id is `operational.id`).
 */
export async function announceWebhookAutoDisabled(
  data: WebhookAutoDisabledData,
  operational: { id: string; data: OperationalEventRequestedData },
): Promise<void> {
  await inngest.send([
    { id: `auto-disabled-${data.noticeId}`, name: WEBHOOK_AUTO_DISABLED, data },
    { id: operational.id, name: OPERATIONAL_EVENT_REQUESTED, data: operational.data },
  ]);
}

/** Queues one operational event for the workspace's operational endpoint (once per id). */
export async function requestOperationalEvent(id: string, data: OperationalEventRequestedData): Promise<void> {
  await inngest.send({ id, name: OPERATIONAL_EVENT_REQUESTED, data });
}
