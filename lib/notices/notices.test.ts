import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as dismissRoute from "@/app/api/v1/notices/[id]/dismiss/route";
import * as noticesRoute from "@/app/api/v1/notices/route";
import * as operationalRoute from "@/app/api/v1/operational-webhook/route";
import * as webhookRoute from "@/app/api/v1/webhooks/[id]/route";
import { inngest } from "@/inngest/client";
import { startEmbeddedExecutor, type EmbeddedExecutor } from "@/inngest/embedded/executor";
import { inngestHandler } from "@/inngest/serve";
import { db } from "@/lib/db";
import { findEventType } from "@/lib/events/catalog";
import { publishEvent } from "@/lib/events/publish";
import type { Webhook } from "@/lib/generated/prisma/client";
import { ANNOUNCE_RETRY_AFTER_MS, announcePendingNotices } from "@/lib/notices/disabled";
import { emailDisabledNotice, resetMailForTests } from "@/lib/notices/email";
import type { NoticeView } from "@/lib/notices/notices";
import { announceOperationalEvent } from "@/lib/operational/announce";
import { call, makeTenant, request, type RouteHandler, type Tenant } from "@/test/support/api";
import { captureOutput } from "@/test/support/capture";
import { verifySigned } from "@/test/support/deliveries";
import { waitFor } from "@/test/support/executor";
import { seedWebhook } from "@/test/support/fixtures";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";
import { startSmtpSink, type SmtpSink } from "@/test/support/smtp-sink";

/**
 * Disabled-endpoint notices (issue 14, item 2) end to end, with the real
 * functions on the embedded executor, a real HTTPS receiver per endpoint and
 * a local SMTP sink: an automatic disable shows a banner notice, emails the
 * workspace's members and sends a signed `webhook.disabled` to the
 * workspace's operational webhook (verified with `standardwebhooks`);
 * `webhook.recovered` is sent by announceOperationalEvent.
 */

const SMTP_USER = "mailer";
const SMTP_PASS = "s3cret-smtp-pass-9f2c";
const APP_URL = "https://app.akol.test";

let executor: EmbeddedExecutor;
let sink: SmtpSink;
let output: ReturnType<typeof captureOutput>;
const receivers: Receiver[] = [];
let restore: Array<() => void> = [];

beforeAll(async () => {
  sink = await startSmtpSink({ user: SMTP_USER, pass: SMTP_PASS });
  restore = [
    useTestTargets("127.0.0.1"),
    setTestEnv({
      WEBHOOK_RETRY_SCHEDULE: "1,1",
      WEBHOOK_DISABLE_AFTER_FAILURES: "2",
      SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${sink.port}`,
      MAIL_FROM: "Akol Webhooks <alerts@akol.test>",
      APP_URL,
      LOG_LEVEL: "info",
    }),
  ];
  resetMailForTests();
  output = captureOutput();
  executor = await startEmbeddedExecutor({ handler: inngestHandler, pollIntervalMs: 100, retryBackoffMs: () => 200 });
});

afterAll(async () => {
  await executor.stop({ timeoutMs: 5000 });
  output.restore();
  for (const r of receivers) await r.close();
  await sink.close();
  resetMailForTests();
  for (const undo of restore.reverse()) undo();
});

async function receiver(handler?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(handler);
  receivers.push(r);
  return r;
}

const as = (t: Tenant) => ({ key: t.key });

/** Sets the tenant's operational webhook through the API; returns its plaintext secret. */
async function setOperationalWebhook(t: Tenant, url: string): Promise<string> {
  const res = await call<{ created: boolean; secret: string }>(
    operationalRoute.PUT as RouteHandler,
    request("PUT", "/api/v1/operational-webhook", { auth: as(t), body: { url } }),
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.data.created).toBe(true);
  return res.body.data.secret;
}

async function notices(t: Tenant): Promise<NoticeView[]> {
  const res = await call<NoticeView[]>(
    noticesRoute.GET as RouteHandler,
    request("GET", "/api/v1/notices", { auth: as(t) }),
  );
  expect(res.status).toBe(200);
  return res.body.data;
}

async function publishCallEnded(t: Tenant): Promise<void> {
  await publishEvent(t.workspaceId, { type: "call.ended", data: findEventType("call.ended").example });
}

const disabled = (id: string) =>
  waitFor(async () => {
    const w = await db.webhook.findUniqueOrThrow({ where: { id } });
    return w.isActive ? null : w;
  }, `webhook ${id} to be disabled`);

/** The operational events a receiver got, verified with the endpoint's secret by the official library. */
function operationalEvents(r: Receiver, secret: string) {
  return r.requests
    .filter((q) => q.method === "POST" && !q.body.includes('"webhook.probe"'))
    .map((q) => ({ id: String(q.headers["webhook-id"]), payload: verifySigned(secret, q) as Record<string, unknown> }));
}

describe("an endpoint disabled automatically", () => {
  let t: Tenant;
  let colleague: Tenant;
  let webhook: Webhook;
  let gone: Receiver;
  let ops: Receiver;
  let opsSecret: string;

  beforeAll(async () => {
    t = await makeTenant("notice");
    colleague = await makeTenant("colleague");
    await db.membership.create({ data: { userId: colleague.userId, workspaceId: t.workspaceId, role: "member" } });
    ops = await receiver();
    opsSecret = await setOperationalWebhook(t, ops.url);
    gone = await receiver((_q, res) => {
      res.writeHead(410).end();
    });
    ({ webhook } = await seedWebhook(t.workspaceId, { url: gone.url, events: ["call.ended"] }));
    await publishCallEnded(t);
    await disabled(webhook.id);
  });

  it("stores a notice, listed by GET /api/v1/notices (the dashboard's banner), naming the endpoint and the reason", async () => {
    const list = await notices(t);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ webhookId: webhook.id, url: gone.url, reason: expect.stringContaining("410") });
    // another workspace sees none of it
    const other = await makeTenant("other");
    expect(await notices(other)).toEqual([]);
    const res = await call(
      dismissRoute.POST as RouteHandler,
      request("POST", `/api/v1/notices/${list[0]!.id}/dismiss`, { auth: as(other) }),
      { id: list[0]!.id },
    );
    expect(res.status).toBe(404);
    expect(await notices(t)).toHaveLength(1);
  });

  it("emails every member of the workspace once: which endpoint, why, when, and a link to it", async () => {
    const mail = await waitFor(() => sink.messages.find((m) => m.text.includes(webhook.id)), "the email");
    expect(mail.user).toBe(SMTP_USER);
    expect(mail.from).toBe("alerts@akol.test");
    expect([...mail.to].sort()).toEqual([t.email, colleague.email].sort());
    expect(mail.text).toContain(`Subject: Webhook endpoint disabled: ${gone.url}`);
    expect(mail.text).toContain(`Endpoint: ${gone.url} (${webhook.id})`);
    expect(mail.text).toMatch(/Why: +Your endpoint answered 410 Gone/);
    const row = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(mail.text).toContain(`When:     ${row.disabledAt!.toUTCString()}`);
    expect(mail.text).toContain(`${APP_URL}/webhooks/${webhook.id}`);
    await new Promise((r) => setTimeout(r, 500));
    expect(sink.messages.filter((m) => m.text.includes(webhook.id))).toHaveLength(1);
    // queued after the disable committed, and recorded as such (the sweep leaves it alone)
    const [notice] = await notices(t);
    await waitFor(
      async () => (await db.webhookDisableNotice.findUniqueOrThrow({ where: { id: notice!.id } })).announcedAt,
      "announcedAt",
    );
    expect(await announcePendingNotices(new Date(Date.now() + ANNOUNCE_RETRY_AFTER_MS + 1000))).toBe(0);
  });

  it("sends a signed webhook.disabled to the operational webhook (verified with standardwebhooks)", async () => {
    const [event] = await waitFor(() => {
      const got = operationalEvents(ops, opsSecret);
      return got.length > 0 ? got : null;
    }, "the operational event");
    const row = await db.webhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(event!.id).toMatch(/^msg_/);
    expect(event!.payload).toEqual({
      type: "webhook.disabled",
      timestamp: row.disabledAt!.toISOString(),
      data: {
        webhookId: webhook.id,
        url: gone.url,
        reason: row.disabledReason,
        disabledAt: row.disabledAt!.toISOString(),
      },
    });
    // signed with the operational endpoint's own secret, not the webhook's
    expect(() => verifySigned("whsec_" + Buffer.alloc(32, 7).toString("base64"), ops.requests.at(-1)!)).toThrow();
  });

  it("never logs the SMTP credentials", () => {
    expect(output.text()).toContain("disabled-endpoint email sent");
    expect(output.text()).not.toContain(SMTP_PASS);
  });

  it("dismissal hides the notice for the whole workspace; re-enabling ends it; a new disable shows a new one", async () => {
    const [notice] = await notices(t);
    const dismissed = await call(
      dismissRoute.POST as RouteHandler,
      request("POST", `/api/v1/notices/${notice!.id}/dismiss`, { auth: { cookie: colleague.cookie } }),
      { id: notice!.id },
    );
    // the colleague's session is of their own workspace: 404; with the owner's key it works
    expect(dismissed.status).toBe(404);
    const ok = await call(
      dismissRoute.POST as RouteHandler,
      request("POST", `/api/v1/notices/${notice!.id}/dismiss`, { auth: as(t) }),
      { id: notice!.id },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual({ id: notice!.id, dismissed: true });
    expect(await notices(t)).toEqual([]);

    // the endpoint works again: re-enable (probes first), then it fails twice in a row → disabled again
    gone.setHandler((q, res) => {
      res.writeHead(q.body.includes('"webhook.probe"') ? 200 : 500).end();
    });
    const reenabled = await call(
      webhookRoute.PATCH as RouteHandler,
      request("PATCH", `/api/v1/webhooks/${webhook.id}`, { auth: as(t), body: { isActive: true } }),
      { id: webhook.id },
    );
    expect(reenabled.status, JSON.stringify(reenabled.body)).toBe(200);
    expect(await notices(t)).toEqual([]);
    await publishCallEnded(t);
    await publishCallEnded(t);
    await disabled(webhook.id);
    const again = await notices(t);
    expect(again).toHaveLength(1);
    expect(again[0]!.id).not.toBe(notice!.id);
    expect(again[0]!.reason).toBe("2 consecutive deliveries failed");
    // dismissing it does not bring back the notice of the earlier disable (that one ended at re-enable)
    await db.webhookDisableNotice.update({ where: { id: notice!.id }, data: { dismissedAt: null } });
    const second = await call(
      dismissRoute.POST as RouteHandler,
      request("POST", `/api/v1/notices/${again[0]!.id}/dismiss`, { auth: as(t) }),
      { id: again[0]!.id },
    );
    expect(second.status).toBe(200);
    expect(await notices(t)).toEqual([]);
    // and a second email and a second operational event, each once
    await waitFor(() => sink.messages.filter((m) => m.text.includes(webhook.id)).length === 2, "the second email");
    await waitFor(() => operationalEvents(ops, opsSecret).length === 2, "the second operational event");
    const ids = operationalEvents(ops, opsSecret).map((e) => e.id);
    expect(new Set(ids).size).toBe(2);
  });
});

describe("delivery of notices is durable", () => {
  it("a temporary SMTP failure and an operational endpoint answering 500 are retried, with the same webhook-id", async () => {
    const t = await makeTenant("retry");
    let opsCalls = 0;
    const ops = await receiver((q, res) => {
      if (q.body.includes('"webhook.probe"')) return void res.writeHead(200).end();
      opsCalls++;
      res.writeHead(opsCalls === 1 ? 500 : 204).end();
    });
    const secret = await setOperationalWebhook(t, ops.url);
    const gone = await receiver((_q, res) => void res.writeHead(410).end());
    const { webhook } = await seedWebhook(t.workspaceId, { url: gone.url, events: ["call.ended"] });
    sink.failNext(1);
    await publishCallEnded(t);
    await disabled(webhook.id);
    await waitFor(() => sink.messages.some((m) => m.text.includes(webhook.id)), "the email after a retry");
    const events = await waitFor(() => (opsCalls >= 2 ? operationalEvents(ops, secret) : null), "the retried event");
    expect(events).toHaveLength(2);
    expect(events[0]!.id).toBe(events[1]!.id);
    expect(events[1]!.payload).toMatchObject({ type: "webhook.disabled", data: { webhookId: webhook.id } });
  });

  it("without an operational webhook, the disable and the email still happen and nothing else is sent", async () => {
    const t = await makeTenant("noops");
    const gone = await receiver((_q, res) => void res.writeHead(410).end());
    const { webhook } = await seedWebhook(t.workspaceId, { url: gone.url, events: ["call.ended"] });
    await publishCallEnded(t);
    const w = await disabled(webhook.id);
    expect(w.disabledReason).toMatch(/410/);
    await waitFor(() => sink.messages.some((m) => m.text.includes(webhook.id)), "the email");
    expect(await notices(t)).toHaveLength(1);
  });
});

describe("a disable whose notices cannot be queued", () => {
  it("still disables the endpoint and shows the banner; the sweep queues the email and the event later, once", async () => {
    const t = await makeTenant("queue-down");
    const ops = await receiver();
    const secret = await setOperationalWebhook(t, ops.url);
    const gone = await receiver((_q, res) => void res.writeHead(410).end());
    const { webhook } = await seedWebhook(t.workspaceId, { url: gone.url, events: ["call.ended"] });
    // the job queue refuses the notices' send (and only that one)
    const realSend = inngest.send.bind(inngest);
    const spy = vi
      .spyOn(inngest, "send")
      .mockImplementation(((payload: Parameters<typeof inngest.send>[0]) =>
        Array.isArray(payload) && payload.some((e) => e.name === "webhooks/webhook.auto-disabled")
          ? Promise.reject(new Error("queue unreachable"))
          : realSend(payload)) as typeof inngest.send);
    try {
      await publishCallEnded(t);
      await disabled(webhook.id);
      await waitFor(
        () => output.text().includes("could not queue the email and operational event of a disabled endpoint"),
        "the refused send",
      );
    } finally {
      spy.mockRestore();
    }
    const [notice] = await notices(t);
    expect(notice).toMatchObject({ webhookId: webhook.id });
    const row = await db.webhookDisableNotice.findUniqueOrThrow({ where: { id: notice!.id } });
    expect(row.announcedAt).toBeNull();

    // too recent for the sweep; later it is queued, once
    expect(await announcePendingNotices()).toBe(0);
    const later = new Date(Date.now() + ANNOUNCE_RETRY_AFTER_MS + 1000);
    expect(await announcePendingNotices(later)).toBe(1);
    expect(await announcePendingNotices(later)).toBe(0);
    await waitFor(() => sink.messages.some((m) => m.text.includes(webhook.id)), "the email, queued by the sweep");
    const [event] = await waitFor(() => {
      const got = operationalEvents(ops, secret);
      return got.length > 0 ? got : null;
    }, "the operational event, queued by the sweep");
    expect(event!.payload).toMatchObject({ type: "webhook.disabled", data: { webhookId: webhook.id } });
  });
});

describe("webhook.recovered (announceOperationalEvent)", () => {
  it("is signed and sent once per key, with the documented payload", async () => {
    const t = await makeTenant("recovered");
    const ops = await receiver();
    const secret = await setOperationalWebhook(t, ops.url);
    const data = {
      webhookId: "whk_0000000000recovered000",
      recoveryId: "rcv_0000000000recovery0001",
      total: 5,
      succeeded: 4,
      failed: 1,
      since: "2026-11-30T20:00:00.000Z",
      until: "2026-11-30T21:00:00.000Z",
    };
    const at = new Date("2026-11-30T21:05:00.000Z");
    const first = await announceOperationalEvent(t.workspaceId, "webhook.recovered", data, {
      key: data.recoveryId,
      at,
    });
    const again = await announceOperationalEvent(t.workspaceId, "webhook.recovered", data, {
      key: data.recoveryId,
      at,
    });
    expect(again.messageId).toBe(first.messageId);
    const [event] = await waitFor(() => {
      const got = operationalEvents(ops, secret);
      return got.length > 0 ? got : null;
    }, "webhook.recovered");
    expect(event).toEqual({
      id: first.messageId,
      payload: { type: "webhook.recovered", timestamp: at.toISOString(), data },
    });
    await new Promise((r) => setTimeout(r, 800));
    expect(operationalEvents(ops, secret)).toHaveLength(1);
  });

  it("refuses data that does not match the schema (nothing is queued)", async () => {
    const t = await makeTenant("recovered-bad");
    await expect(
      announceOperationalEvent(t.workspaceId, "webhook.recovered", {
        webhookId: "whk_x",
        recoveryId: "rcv_x",
        total: -1,
        succeeded: 0,
        failed: 0,
        since: "yesterday",
        until: "2026-11-30T21:00:00.000Z",
      }),
    ).rejects.toThrow();
  });
});

describe("without SMTP_URL", () => {
  it("sends nothing and says so once in the log", async () => {
    const undo = setTestEnv({ SMTP_URL: undefined, LOG_LEVEL: "info" });
    resetMailForTests();
    const capture = captureOutput();
    try {
      const n = {
        noticeId: "ntc_0000000000000000000000000",
        workspaceId: "ws_none",
        webhookId: "whk_0000000000000000000000000",
        url: "https://example.com/hook",
        reason: "Your endpoint answered 410 Gone, which asks us to stop sending",
        disabledAt: new Date().toISOString(),
      };
      const before = sink.messages.length;
      expect(await emailDisabledNotice(n)).toEqual({ sent: false, reason: "smtp_not_configured" });
      expect(await emailDisabledNotice(n)).toEqual({ sent: false, reason: "smtp_not_configured" });
      expect(sink.messages.length).toBe(before);
      expect(capture.text().match(/SMTP_URL is not set/g)).toHaveLength(1);
    } finally {
      capture.restore();
      undo();
      resetMailForTests();
    }
  });
});
