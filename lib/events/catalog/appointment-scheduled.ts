import { z } from "zod";
import { customer, defineEventType, id, isoDate } from "./define";

export const appointmentScheduled = defineEventType({
  type: "appointment.scheduled",
  group: "Appointments",
  description: "The assistant booked an appointment during a call.",
  schema: z.looseObject({
    appointmentId: id("appt"),
    callId: id("call").optional(),
    customer,
    service: z.string().min(1).max(200),
    startsAt: isoDate,
    endsAt: isoDate,
    location: z.string().max(500).optional(),
    notes: z.string().max(5000).optional(),
  }),
  example: {
    appointmentId: "appt_5k2m9x",
    callId: "call_8f2kq1z9",
    customer: { name: "Dana Whitaker", phone: "+14155550123", email: "dana@example.com" },
    service: "Teeth cleaning",
    startsAt: "2026-04-21T10:00:00.000-07:00",
    endsAt: "2026-04-21T10:45:00.000-07:00",
    location: "Main St. clinic",
  },
});
