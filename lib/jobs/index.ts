import { createHash } from "node:crypto";
import type { QueryResultRow } from "pg";
import { inngest } from "@/inngest/client";
import { embeddedRegistry } from "@/inngest/embedded/client";
import type { Queryable } from "@/inngest/embedded/store";
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
 * A statement `WITH <ctes> <select>` whose parameters are numbered from `$<offset + 1>` (`values` in order).
 * Its CTEs may modify data (e.g. insert the event row).
 */
export type EventStatement = (offset: number) => { ctes: string; select: string; values: unknown[] };

/**
 * Runs `statement` and hands the published event to the fan-out, like announceEventPublished after it.
 * On the embedded executor, when this process runs no executor (the production app: the executor is its
 * worker process), the hand-over is a row in the same database (inngest/embedded/store's
 * `enqueueUnrouted`, the row `inngest.send` would write through the embedded client): it rides in the
 * statement itself as one more CTE, so the event row and its hand-over are written atomically in one round
 * trip, without the SDK's send. Otherwise (Inngest server, an executor in this process) the statement runs
 * and then `inngest.send`.
 */
export async function runAndAnnounceEventPublished<R extends QueryResultRow>(
  data: EventPublishedData,
  statement: EventStatement,
): Promise<R[]> {
  if (usesEmbeddedExecutor(settings()) && !embeddedRegistry().intakes.some((i) => i.accepting)) {
    const { normalizeEvent, enqueueUnrouted } = await embeddedStore();
    const handover: Array<{ text: string; values: unknown[] }> = [];
    // enqueueUnrouted writes its row with one INSERT through the Queryable it is given: collected here, and
    // run as a CTE of our statement (or, should it ever issue anything else, on its own after it).
    const collect = {
      query: async (textOrConfig: string | { text: string; values?: unknown[] }, values: unknown[] = []) => {
        handover.push(
          typeof textOrConfig === "string"
            ? { text: textOrConfig, values }
            : { text: textOrConfig.text, values: textOrConfig.values ?? values },
        );
        return { rows: [], rowCount: 0 };
      },
    } as unknown as Queryable;
    const event = normalizeEvent({ id: data.eventId, name: EVENT_PUBLISHED, data }, Date.now());
    await enqueueUnrouted(collect, newId("route"), [event]);
    const [only] = handover;
    if (handover.length === 1 && /^\s*INSERT\s/i.test(only!.text) && !only!.text.includes(";")) {
      const own = statement(only!.values.length);
      const text = `WITH handover AS (${only!.text}), ${own.ctes} ${own.select}`;
      // A named (prepared) statement: PostgreSQL parses and plans it once per connection.
      const values = [...only!.values, ...own.values];
      const { rows } = await pool().query<R>({ name: statementName(text), text, values });
      return rows;
    }
    const own = statement(0);
    const { rows } = await pool().query<R>(`WITH ${own.ctes} ${own.select}`, own.values);
    for (const h of handover) await pool().query(h.text, h.values);
    return rows;
  }
  const own = statement(0);
  const { rows } = await pool().query<R>(`WITH ${own.ctes} ${own.select}`, own.values);
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
  enqueueUnrouted: typeof import("@/inngest/embedded/store").enqueueUnrouted;
}> | null = null;

/** Loaded on first use, as the embedded client's own hand-over does (no executor code at import). */
function embeddedStore() {
  storeModules ??= Promise.all([import("@/inngest/embedded/router"), import("@/inngest/embedded/store")]).then(
    ([router, store]) => ({ normalizeEvent: router.normalizeEvent, enqueueUnrouted: store.enqueueUnrouted }),
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
