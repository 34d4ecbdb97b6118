import { z } from "zod";
import { defineEventType, id, isoDate, phone } from "./define";

export const callMissed = defineEventType({
  type: "call.missed",
  group: "Calls",
  description: "A call could not be answered (outside hours, line busy, or the caller hung up while ringing).",
  schema: z.looseObject({
    callId: id("call"),
    from: phone,
    to: phone,
    missedAt: isoDate,
    reason: z.enum(["outside_hours", "busy", "caller_abandoned", "capacity"]),
  }),
  example: {
    callId: "call_3hd81mzq",
    from: "+14155550177",
    to: "+14155550199",
    missedAt: "2026-04-18T22:05:13.000Z",
    reason: "outside_hours",
  },
});
