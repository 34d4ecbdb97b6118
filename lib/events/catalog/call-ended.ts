import { z } from "zod";
import { defineEventType, id, isoDate, phone } from "./define";

export const callEnded = defineEventType({
  type: "call.ended",
  group: "Calls",
  description: "A call finished. Carries its duration, why it ended and the assistant's summary.",
  schema: z.looseObject({
    callId: id("call"),
    assistantId: id("asst"),
    direction: z.enum(["inbound", "outbound"]),
    from: phone,
    to: phone,
    startedAt: isoDate,
    endedAt: isoDate,
    durationSeconds: z.number().int().min(0),
    endReason: z.enum(["caller_hung_up", "assistant_hung_up", "transferred", "error", "voicemail"]),
    summary: z.string().max(10_000).optional(),
    recordingUrl: z.url().optional(),
  }),
  example: {
    callId: "call_8f2kq1z9",
    assistantId: "asst_front_desk",
    direction: "inbound",
    from: "+14155550123",
    to: "+14155550199",
    startedAt: "2026-04-18T14:20:02.000Z",
    endedAt: "2026-04-18T14:23:10.000Z",
    durationSeconds: 188,
    endReason: "caller_hung_up",
    summary: "Caller booked a cleaning for next Tuesday at 10:00.",
    recordingUrl: "https://recordings.example.com/call_8f2kq1z9.mp3",
  },
});
