import { z } from "zod";
import { defineEventType, id, isoDate, phone } from "./define";

export const voicemailReceived = defineEventType({
  type: "voicemail.received",
  group: "Voicemail",
  description: "A caller left a voicemail; carries its transcript and recording.",
  schema: z.looseObject({
    voicemailId: id("vm"),
    callId: id("call"),
    from: phone,
    to: phone,
    durationSeconds: z.number().int().min(0),
    transcript: z.string().max(20_000),
    recordingUrl: z.url(),
    receivedAt: isoDate,
  }),
  example: {
    voicemailId: "vm_71hx0c",
    callId: "call_3hd81mzq",
    from: "+14155550177",
    to: "+14155550199",
    durationSeconds: 42,
    transcript: "Hi, this is Sam. Please call me back about moving my Thursday appointment.",
    recordingUrl: "https://recordings.example.com/vm_71hx0c.mp3",
    receivedAt: "2026-04-18T22:06:01.000Z",
  },
});
