import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { zodDetails } from "@/lib/api/body";
import { db } from "@/lib/db";
import { findEventType } from "@/lib/events/catalog";
import { newId } from "@/lib/ids";
import { announceEventPublished } from "@/lib/jobs";

/**
 * Publishes an event of the catalog for a workspace: validates `data` against
 * the type's schema, stores the event, and hands it to the fan-out function.
 * Exported for server-side callers in the host product as well as the API.
 */

const MIN_TIMESTAMP_MS = Date.parse("0001-01-01T00:00:00Z");

export type PublishInput = { type: string; data: unknown; timestamp?: string | Date };
export type PublishResult = { id: string; type: string; timestamp: string; webhooks: number };

/**
 * `opts.id` makes the publish idempotent: a second call with the same id (a
 * retried request whose first run died mid-way) keeps the stored event and
 * hands it to the fan-out again, which runs once per event id.
 */
export async function publishEvent(
  workspaceId: string,
  input: PublishInput,
  opts: { id?: string } = {},
): Promise<PublishResult> {
  const def = findEventType(input.type);
  if (!def)
    throw new ApiError(400, "validation_error", `Unknown event type ${JSON.stringify(input.type)}`, [
      { field: "type", message: "unknown event type" },
    ]);
  const parsed = def.schema.safeParse(input.data);
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

  const id = opts.id ?? newId("evt");
  const data = parsed.data as z.core.util.JSONType;
  const [created, webhooks] = await db.$transaction([
    db.event.createMany({
      data: [{ id, workspaceId, type: def.type, data: data ?? {}, timestamp }],
      skipDuplicates: true,
    }),
    db.webhook.count({ where: { workspaceId, isActive: true, events: { has: def.type } } }),
  ]);
  let stored = timestamp;
  if (created.count === 0) {
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
