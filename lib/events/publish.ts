import "server-only";
import { ApiError } from "@/lib/errors";
import { zodDetails } from "@/lib/api/body";
import { db, pool } from "@/lib/db";
import { findEventType, type EventDataInput, type EventTypeName } from "@/lib/events/catalog";
import { minifyJson } from "@/lib/events/json-text";
import { newId } from "@/lib/ids";
import { announceEventPublished, runAndAnnounceEventPublished, type EventStatement } from "@/lib/jobs";

/**
 * Publishes an event of the catalog for a workspace: validates `data` against
 * the type's schema, stores the event, and hands it to the fan-out function.
 * Exported for server-side callers in the host product as well as the API.
 */

const MIN_TIMESTAMP_MS = Date.parse("0001-01-01T00:00:00Z");
/** The last instant with a four-digit year: what an ISO 8601 timestamp (the API's `timestamp`) can express. */
const MAX_TIMESTAMP_MS = Date.parse("9999-12-31T23:59:59.999Z");

/** A publish from server-side code: `data` is typed by the event type's schema (its input). */
export type PublishInput<T extends EventTypeName = EventTypeName> = {
  type: T;
  data: EventDataInput<T>;
  timestamp?: string | Date;
};
/**
 * A publish whose `data` arrives as JSON text (the API): `dataJson` is kept as
 * published (lib/events/json-text), validated after parsing.
 */
export type PublishJsonInput = { type: string; dataJson: string; timestamp?: string | Date };
export type PublishResult = { id: string; type: EventTypeName; timestamp: string; webhooks: number };
export type PublishOptions = { id?: string };

/**
 * `opts.id` makes the publish idempotent: a second call with the same id (a
 * retried request whose first run died mid-way) keeps the stored event and
 * hands it to the fan-out again, which runs once per event id.
 *
 * Every delivery carries `JSON.stringify(input.data)` as its `data`.
 */
export function publishEvent<T extends EventTypeName>(
  workspaceId: string,
  input: PublishInput<T>,
  opts: PublishOptions = {},
): Promise<PublishResult> {
  const { data, ...rest } = input;
  return publishEventJson(workspaceId, { ...rest, dataJson: JSON.stringify(data) ?? "null" }, opts);
}

/**
 * Publishes an event whose `data` is JSON text: the stored text (and so the
 * `data` of every delivery, signed as sent) is exactly `dataJson` — the
 * publisher's key order, numbers and escapes — while validation runs on
 * its parsed value.
 */
export async function publishEventJson(
  workspaceId: string,
  input: PublishJsonInput,
  opts: PublishOptions = {},
): Promise<PublishResult> {
  const def = findEventType(input.type);
  if (!def)
    throw new ApiError(400, "validation_error", `Unknown event type ${JSON.stringify(input.type)}`, [
      { field: "type", message: "unknown event type" },
    ]);
  let value: unknown;
  try {
    value = JSON.parse(input.dataJson);
  } catch (err) {
    throw new ApiError(400, "invalid_json", `data is not JSON: ${(err as Error).message}`);
  }
  const dataJson = minifyJson(input.dataJson);
  const parsed = def.schema.safeParse(value);
  if (!parsed.success) {
    const details = zodDetails(parsed.error).map((d) => ({
      field: d.field === "(body)" ? "data" : `data.${d.field}`,
      message: d.message,
    }));
    throw new ApiError(
      400,
      "validation_error",
      `data does not match the ${def.type} schema: ${details[0]?.field}: ${details[0]?.message}`,
      details,
    );
  }
  const timestamp = input.timestamp ? new Date(input.timestamp) : new Date();
  if (Number.isNaN(timestamp.getTime()))
    throw new ApiError(400, "validation_error", "timestamp is not a valid date", [
      { field: "timestamp", message: "invalid date" },
    ]);
  // PostgreSQL has no year 0: anything before 0001-01-01 UTC (e.g. "0000-…") cannot be stored.
  if (timestamp.getTime() < MIN_TIMESTAMP_MS)
    throw new ApiError(400, "validation_error", "timestamp is before 0001-01-01T00:00:00Z", [
      { field: "timestamp", message: "out of range" },
    ]);
  if (timestamp.getTime() > MAX_TIMESTAMP_MS)
    throw new ApiError(400, "validation_error", "timestamp is after 9999-12-31T23:59:59.999Z", [
      { field: "timestamp", message: "out of range" },
    ]);

  // One statement: the event row and the count of the webhooks it goes to. `timestamp` is a UTC wall time,
  // as Prisma stores it; the text form avoids pg's local-time conversion of a Date.
  const eventStatement = (id: string): EventStatement => ({
    ctes: `created AS (
         INSERT INTO "Event" (id, "workspaceId", type, data, timestamp, "createdAt")
         VALUES ($1, $2, $3, $4, $5::timestamp, now() AT TIME ZONE 'UTC')
         ON CONFLICT (id) DO NOTHING
         RETURNING 1)`,
    select: `SELECT EXISTS (SELECT 1 FROM created) AS created,
         (SELECT count(*)::int FROM "Webhook"
           WHERE "workspaceId" = $2 AND "isActive" AND events @> ARRAY[$3]::text[]) AS webhooks`,
    values: [id, workspaceId, def.type, dataJson, timestamp.toISOString()],
  });
  type Row = { created: boolean; webhooks: number };

  if (opts.id === undefined) {
    // A new event: its row and its hand-over to the fan-out in one round trip where the hand-over is a row
    // (lib/jobs runAndAnnounceEventPublished).
    const id = newId("evt");
    const [row] = await runAndAnnounceEventPublished<Row>({ eventId: id, workspaceId }, eventStatement(id));
    if (!row?.created) throw new Error(`event id ${id} is already taken by another event`);
    return { id, type: def.type, timestamp: timestamp.toISOString(), webhooks: row.webhooks };
  }

  const id = opts.id;
  const own = eventStatement(id);
  const { rows } = await pool().query<Row>(`WITH ${own.ctes} ${own.select}`, own.values);
  const { created, webhooks } = rows[0]!;
  let stored = timestamp;
  if (!created) {
    const prior = await db.event.findUnique({
      where: { id },
      select: { workspaceId: true, type: true, timestamp: true },
    });
    if (!prior || prior.workspaceId !== workspaceId || prior.type !== def.type)
      throw new Error(`event id ${id} is already taken by another event`);
    stored = prior.timestamp;
  }
  await announceEventPublished({ eventId: id, workspaceId });
  return { id, type: def.type, timestamp: stored.toISOString(), webhooks };
}
