import { z } from "zod";
import { appointmentCancelled } from "./appointment-cancelled";
import { appointmentRescheduled } from "./appointment-rescheduled";
import { appointmentScheduled } from "./appointment-scheduled";
import { callEnded } from "./call-ended";
import { callMissed } from "./call-missed";
import { callStarted } from "./call-started";
import { callTransferred } from "./call-transferred";
import type { EventTypeDefinition } from "./define";
import { voicemailReceived } from "./voicemail-received";

/** The event catalog: every type a webhook can subscribe to. */
export const CATALOG = [
  callStarted,
  callEnded,
  callTransferred,
  callMissed,
  appointmentScheduled,
  appointmentRescheduled,
  appointmentCancelled,
  voicemailReceived,
] as const satisfies readonly EventTypeDefinition[];

/** One definition of the catalog, with its literal type name and its own schema. */
export type CatalogEntry = (typeof CATALOG)[number];
/** The name of an event type of the catalog: `"call.started" | "call.ended" | …`. */
export type EventTypeName = CatalogEntry["type"];
/** The definition of one event type. */
export type EventDefinitionOf<T extends EventTypeName> = Extract<CatalogEntry, { type: T }>;
/** What a publisher passes as `data` for one event type (the schema's input). */
export type EventDataInput<T extends EventTypeName> = z.input<EventDefinitionOf<T>["schema"]>;

export const EVENT_TYPES: readonly EventTypeName[] = CATALOG.map((e) => e.type);

/** The synthetic type of the signed probe sent on create, URL change and re-enable (not subscribable). */
export const PROBE_EVENT_TYPE = "webhook.probe";

export function isEventType(type: string): type is EventTypeName {
  return CATALOG.some((e) => e.type === type);
}

/** The definition of an event type: exact (typed example and schema) for a literal name, else looked up. */
export function findEventType<T extends EventTypeName>(type: T): EventDefinitionOf<T>;
export function findEventType(type: string): CatalogEntry | undefined;
export function findEventType(type: string): CatalogEntry | undefined {
  return CATALOG.find((e) => e.type === type);
}

export const eventTypeSchema = z.enum(EVENT_TYPES, {
  error: (issue) =>
    typeof issue.input === "string"
      ? `unknown event type ${JSON.stringify(issue.input)}; valid types: ${EVENT_TYPES.join(", ")}`
      : `must be an event type (a string); valid types: ${EVENT_TYPES.join(", ")}`,
});

/** One entry of GET /api/v1/event-types (the dashboard reads the same type). */
export type EventTypeInfo = {
  type: EventTypeName;
  group: CatalogEntry["group"];
  description: string;
  schema: Record<string, unknown>;
  example: unknown;
};

/** The public view of the catalog (GET /api/v1/event-types). */
export function catalogView(): EventTypeInfo[] {
  return CATALOG.map((e) => ({
    type: e.type,
    group: e.group,
    description: e.description,
    schema: z.toJSONSchema(e.schema, { io: "input", unrepresentable: "any" }),
    example: e.example,
  }));
}
