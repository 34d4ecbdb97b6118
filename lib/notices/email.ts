import nodemailer, { type Transporter } from "nodemailer";
import { db } from "@/lib/db";
import { appOrigin, env } from "@/lib/env";
import type { WebhookAutoDisabledData } from "@/lib/jobs/events";
import { log } from "@/lib/log";

/**
 * The email of an automatic disable, to every member of the workspace, when
 * SMTP_URL is set (nodemailer, one message). SMTP_URL carries the SMTP
 * credentials: it is never logged (nodemailer's own logger stays off), and
 * only the error's message is. Without SMTP_URL nothing is sent, which is
 * logged once per process.
 */

let transport: { url: string; transporter: Transporter } | undefined;
let unconfiguredLogged = false;

function transporter(url: string): Transporter {
  if (transport?.url !== url) {
    transport?.transporter.close();
    transport = { url, transporter: nodemailer.createTransport(url) };
  }
  return transport.transporter;
}

/** Tests only: close the pooled SMTP connection and forget that "not configured" was logged. */
export function resetMailForTests(): void {
  transport?.transporter.close();
  transport = undefined;
  unconfiguredLogged = false;
}

export type DisabledEmail = { subject: string; text: string; html: string };

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** What the email says: which endpoint, why, when, and a link to it. */
export function disabledEmail(n: WebhookAutoDisabledData): DisabledEmail {
  const link = `${appOrigin()}/webhooks/${encodeURIComponent(n.webhookId)}`;
  const when = new Date(n.disabledAt).toUTCString();
  const subject = `Webhook endpoint disabled: ${n.url}`;
  const lines = [
    "Akol Webhooks disabled one of your endpoints and stopped sending to it.",
    "",
    `Endpoint: ${n.url} (${n.webhookId})`,
    `Why:      ${n.reason}`,
    `When:     ${when}`,
    "",
    `Open it to see the failed deliveries and re-enable it (we probe it first): ${link}`,
    "",
    "Events published while it is disabled are not delivered to it; once it works again you can replay or recover them.",
  ];
  const html =
    `<p>Akol Webhooks disabled one of your endpoints and stopped sending to it.</p>` +
    `<table><tr><th align="left">Endpoint</th><td>${escapeHtml(n.url)} (${escapeHtml(n.webhookId)})</td></tr>` +
    `<tr><th align="left">Why</th><td>${escapeHtml(n.reason)}</td></tr>` +
    `<tr><th align="left">When</th><td>${escapeHtml(when)}</td></tr></table>` +
    `<p><a href="${escapeHtml(link)}">Open the endpoint</a> to see the failed deliveries and re-enable it (we probe it first).</p>`;
  return { subject, text: lines.join("\n"), html };
}

export async function emailDisabledNotice(
  n: WebhookAutoDisabledData,
): Promise<{ sent: false; reason: "smtp_not_configured" | "no_members" } | { sent: true; recipients: number }> {
  const { SMTP_URL, MAIL_FROM } = env();
  if (!SMTP_URL) {
    if (!unconfiguredLogged) {
      unconfiguredLogged = true;
      log.info("SMTP_URL is not set: disabled-endpoint emails are not sent (the dashboard banner still shows)");
    }
    return { sent: false, reason: "smtp_not_configured" };
  }
  const members = await db.membership.findMany({
    where: { workspaceId: n.workspaceId },
    select: { user: { select: { email: true } } },
    orderBy: { createdAt: "asc" },
  });
  const to = members.map((m) => m.user.email);
  if (to.length === 0) return { sent: false, reason: "no_members" };
  const mail = disabledEmail(n);
  try {
    await transporter(SMTP_URL).sendMail({ from: MAIL_FROM, to, ...mail });
  } catch (err) {
    // Only the message: nodemailer errors can carry the SMTP response, never our URL; the job retries.
    throw new Error(`could not send the disabled-endpoint email: ${err instanceof Error ? err.message : String(err)}`);
  }
  log.info("disabled-endpoint email sent", { webhookId: n.webhookId, noticeId: n.noticeId, recipients: to.length });
  return { sent: true, recipients: to.length };
}
