import { z } from "zod";
import { defineEventType, id, isoDate } from "./define";

export const appointmentCancelled = defineEventType({
  type: "appointment.cancelled",
  group: "Appointments",
  description: "An appointment was cancelled by the customer, the business or the assistant.",
  schema: z.looseObject({
    appointmentId: id("appt"),
    callId: id("call").optional(),
    cancelledAt: isoDate,
    cancelledBy: z.enum(["customer", "business", "assistant"]),
    reason: z.string().max(1000).optional(),
  }),
  example: {
    appointmentId: "appt_5k2m9x",
    callId: "call_9qq1ee3r",
    cancelledAt: "2026-04-20T09:12:44.000Z",
    cancelledBy: "customer",
    reason: "Feeling unwell.",
  },
});
