import { z } from "zod";
import { customer, defineEventType, id, isoDate } from "./define";

export const appointmentRescheduled = defineEventType({
  type: "appointment.rescheduled",
  group: "Appointments",
  description: "An existing appointment moved to a new time.",
  schema: z.looseObject({
    appointmentId: id("appt"),
    callId: id("call").optional(),
    customer,
    previousStartsAt: isoDate,
    startsAt: isoDate,
    endsAt: isoDate,
  }),
  example: {
    appointmentId: "appt_5k2m9x",
    callId: "call_2b7tq0pa",
    customer: { name: "Dana Whitaker", phone: "+14155550123" },
    previousStartsAt: "2026-04-21T10:00:00.000-07:00",
    startsAt: "2026-04-23T15:30:00.000-07:00",
    endsAt: "2026-04-23T16:15:00.000-07:00",
  },
});
