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
export const CATALOG: readonly EventTypeDefinition[] = [
  callStarted,
  callEnded,
  callTransferred,
  callMissed,
  appointmentScheduled,
  appointmentRescheduled,
  appointmentCancelled,
  voicemailReceived,
];

export const EVENT_TYPES = CATALOG.map((e) => e.type) as [string, ...string[]];

/** The synthetic type of the signed probe sent on create, URL change and re-enable (not subscribable). */
export const PROBE_EVENT_TYPE = "webhook.probe";

export function findEventType(type: string): EventTypeDefinition | undefined {
  return CATALOG.find((e) => e.type === type);
}

export const eventTypeSchema = z.enum(EVENT_TYPES, {
  error: (issue) =>
    typeof issue.input === "string"
      ? `unknown event type ${JSON.stringify(issue.input)}; valid types: ${EVENT_TYPES.join(", ")}`
      : `must be an event type (a string); valid types: ${EVENT_TYPES.join(", ")}`,
});

/** The public view of the catalog (GET /api/v1/event-types). */
export function catalogView() {
  return CATALOG.map((e) => ({
    type: e.type,
    group: e.group,
    description: e.description,
    schema: z.toJSONSchema(e.schema, { io: "input", unrepresentable: "any" }),
    example: e.example,
  }));
}
