import { z } from "zod";
import { defineEventType, id, isoDate, phone } from "./define";

export const callTransferred = defineEventType({
  type: "call.transferred",
  group: "Calls",
  description: "The assistant handed a live call over to a person or another number.",
  schema: z.looseObject({
    callId: id("call"),
    assistantId: id("asst"),
    from: phone,
    transferredTo: phone,
    reason: z.string().min(1).max(500),
    transferredAt: isoDate,
  }),
  example: {
    callId: "call_8f2kq1z9",
    assistantId: "asst_front_desk",
    from: "+14155550123",
    transferredTo: "+14155550142",
    reason: "Caller asked for a billing specialist.",
    transferredAt: "2026-04-18T14:22:40.000Z",
  },
});
