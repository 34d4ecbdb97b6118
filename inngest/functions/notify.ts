import { inngest } from "@/inngest/client";
import { parseEventData } from "@/inngest/functions/parse";
import {
  OPERATIONAL_EVENT_REQUESTED,
  operationalEventRequestedData,
  WEBHOOK_AUTO_DISABLED,
  webhookAutoDisabledData,
} from "@/lib/jobs/events";
import { announcePendingNotices } from "@/lib/notices/disabled";
import { emailDisabledNotice } from "@/lib/notices/email";
import { sendOperationalEvent } from "@/lib/operational/send";

/** Emails the workspace's members that an endpoint was disabled automatically (lib/notices/email.ts), with retries. */
export const emailDisabledEndpoint = inngest.createFunction(
  { id: "email-disabled-endpoint", retries: 8, triggers: [{ event: WEBHOOK_AUTO_DISABLED }] },
  async ({ event, step }) => {
    const data = parseEventData(webhookAutoDisabledData, event.data, WEBHOOK_AUTO_DISABLED);
    return step.run("send-email", () => emailDisabledNotice(data));
  },
);

/** Signs and POSTs one operational event to the workspace's operational webhook (lib/operational/send.ts), with retries. */
export const sendOperationalEventFn = inngest.createFunction(
  { id: "send-operational-event", retries: 8, triggers: [{ event: OPERATIONAL_EVENT_REQUESTED }] },
  async ({ event, step }) => {
    const data = parseEventData(operationalEventRequestedData, event.data, OPERATIONAL_EVENT_REQUESTED);
    return step.run("send", () => sendOperationalEvent(data));
  },
);

/** Every 5 minutes: queues again the notices whose email and operational event could not be queued (lib/notices/disabled.ts). */
export const announceNoticesSweep = inngest.createFunction(
  { id: "announce-disabled-notices", retries: 3, triggers: [{ cron: "*/5 * * * *" }] },
  async ({ step }) => ({ queued: await step.run("announce-pending", () => announcePendingNotices()) }),
);
