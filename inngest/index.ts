import { deliver } from "@/inngest/functions/deliver";
import { fanOut } from "@/inngest/functions/fan-out";
import { announceNoticesSweep, emailDisabledEndpoint, sendOperationalEventFn } from "@/inngest/functions/notify";
import { recover } from "@/inngest/functions/recover";
import { retention } from "@/inngest/functions/retention";
import { sweep } from "@/inngest/functions/sweep";

/** Every function the app serves at /api/inngest (to Inngest, or to the embedded executor). */
export const functions = [
  fanOut,
  deliver,
  retention,
  sweep,
  emailDisabledEndpoint,
  sendOperationalEventFn,
  announceNoticesSweep,
  recover,
];
