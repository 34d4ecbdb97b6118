import { z } from "zod";
import { defineEventType, id, isoDate, phone } from "./define";

export const callStarted = defineEventType({
  type: "call.started",
  group: "Calls",
  description: "The assistant answered or placed a call.",
  schema: z.looseObject({
    callId: id("call"),
    assistantId: id("asst"),
    direction: z.enum(["inbound", "outbound"]),
    from: phone,
    to: phone,
    startedAt: isoDate,
  }),
  example: {
    callId: "call_8f2kq1z9",
    assistantId: "asst_front_desk",
    direction: "inbound",
    from: "+14155550123",
    to: "+14155550199",
    startedAt: "2026-04-18T14:20:02.000Z",
  },
});
