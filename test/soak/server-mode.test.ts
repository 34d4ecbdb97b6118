import { createHash, createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { CATALOG } from "@/lib/events/catalog";
import { buildPresent, startApp, type AppProcess } from "@/test/soak/app-process";
import { startInngestStandIn, type InngestStandIn, type StandInRequest } from "@/test/soak/inngest-stand-in";
import { makeTenant, type Tenant } from "@/test/support/api";
import { seedWebhook } from "@/test/support/fixtures";
import { freePort } from "@/test/support/global-setup";
import { startReceiver, testTls, type Receiver } from "@/test/support/https-receiver";

/**
 * Server mode ("at scale": Inngest Cloud or a self-hosted Inngest server)
 * against the REAL production app, without the network: the app runs with
 * INNGEST_SIGNING_KEY, INNGEST_EVENT_KEY and INNGEST_BASE_URL pointing at a
 * local stand-in of the Inngest API (test/soak/inngest-stand-in.ts) that
 * records what it receives, and this test plays the Inngest server:
 *
 * - a sync (`PUT /api/inngest`) registers every function at the stand-in with
 *   exactly the triggers, retries, throttle, cancelOn, onFailure and cron of
 *   the table below, authenticated with the hashed signing key;
 * - `POST /api/v1/events` sends the event to the stand-in's event API with the event key;
 * - a call to `/api/inngest` signed like the Inngest server signs it runs the
 *   fan-out step, then a delivery step (the receiver gets the signed webhook);
 * - an unsigned call, or one signed with another key, is refused and runs nothing.
 *
 * Needs the production build (skipped with a message without it, a failure in CI).
 */

// ---------------------------------------------------------------------------
// The expectation, written by hand from the README / issue (not derived from
// the code under test). Extend it when a function is added or changed: each
// row is one function as an Inngest server must see it.

const APP_ID = "akol-webhooks";
/** Set for the app below, so the throttle's limit is seen to come from the configuration. */
const RATE_PER_SECOND = 7;

type Trigger = { event: string; if?: string } | { cron: string };
type ExpectedFunction = {
  id: string;
  triggers: Trigger[];
  retries: number;
  throttle?: { key: string; limit: number; period: string; burst?: number };
  cancelOn?: Array<{ event: string; match: string }>;
  /** The function has an onFailure handler (registered as `<id>-failure`, on `inngest/function.failed`). */
  onFailure?: boolean;
  /** Any other flow control the function must declare (batchEvents, concurrency, rateLimit, debounce, …), as sent. */
  flowControl?: Record<string, unknown>;
};

const EXPECTED_FUNCTIONS: ExpectedFunction[] = [
  {
    id: "fan-out",
    triggers: [{ event: "webhooks/event.published" }],
    retries: 10,
    onFailure: true,
    flowControl: { batchEvents: { maxSize: 100, timeout: "1s" } },
  },
  {
    id: "deliver",
    triggers: [{ event: "webhooks/delivery.requested" }],
    retries: 3,
    throttle: { key: "event.data.webhookId", limit: RATE_PER_SECOND, period: "1s" },
    cancelOn: [{ event: "webhooks/webhook.deleted", match: "data.webhookId" }],
    onFailure: true,
  },
  { id: "retention", triggers: [{ cron: "17 3 * * *" }], retries: 3 },
  { id: "sweep-stranded-deliveries", triggers: [{ cron: "*/5 * * * *" }], retries: 3 },
  { id: "email-disabled-endpoint", triggers: [{ event: "webhooks/webhook.auto-disabled" }], retries: 8 },
  { id: "send-operational-event", triggers: [{ event: "webhooks/operational-event.requested" }], retries: 8 },
  { id: "announce-disabled-notices", triggers: [{ cron: "*/5 * * * *" }], retries: 3 },
  {
    id: "recover-failed-deliveries",
    triggers: [{ event: "webhooks/recovery.requested" }],
    retries: 3,
    cancelOn: [{ event: "webhooks/webhook.deleted", match: "data.webhookId" }],
    onFailure: true,
  },
];

/** The flow-control fields of a registered function (SDK_SPEC "function configuration"): all compared, absent = undefined. */
const FLOW_CONTROL_FIELDS = [
  "batchEvents",
  "concurrency",
  "debounce",
  "idempotency",
  "priority",
  "rateLimit",
  "singleton",
  "timeouts",
] as const;

type WireFunction = {
  id: string;
  name?: string;
  triggers: Array<Record<string, unknown>>;
  steps: Record<string, { id: string; runtime: { type: string; url: string }; retries?: { attempts: number } }>;
  throttle?: unknown;
  cancel?: unknown;
  [k: string]: unknown;
};

/** One table row as the registration payload must carry it (the wire format of the Inngest SDK spec). */
function wireExpectation(fn: ExpectedFunction, serveUrl: string): Array<Record<string, unknown>> {
  const fnId = `${APP_ID}-${fn.id}`;
  const stepUrl = (id: string) => `${serveUrl}?fnId=${encodeURIComponent(id)}&stepId=step`;
  const main: Record<string, unknown> = {
    id: fnId,
    triggers: fn.triggers.map((t) =>
      "cron" in t ? { cron: t.cron } : t.if ? { event: t.event, expression: t.if } : { event: t.event },
    ),
    url: stepUrl(fnId),
    retries: fn.retries,
    throttle: fn.throttle,
    cancel: fn.cancelOn?.map((c) => ({ event: c.event, if: `event.${c.match} == async.${c.match}` })),
    ...Object.fromEntries(FLOW_CONTROL_FIELDS.map((k) => [k, fn.flowControl?.[k]])),
  };
  if (!fn.onFailure) return [main];
  const failureId = `${fnId}-failure`;
  return [
    main,
    {
      id: failureId,
      triggers: [{ event: "inngest/function.failed", expression: `event.data.function_id == '${fnId}'` }],
      url: stepUrl(failureId),
      retries: 1,
      throttle: undefined,
      cancel: undefined,
      ...Object.fromEntries(FLOW_CONTROL_FIELDS.map((k) => [k, undefined])),
    },
  ];
}

/** The same fields of a registered function. */
function wireActual(fn: WireFunction): Record<string, unknown> {
  const step = fn.steps.step;
  return {
    id: fn.id,
    triggers: fn.triggers,
    url: step?.runtime.url,
    retries: step?.retries?.attempts,
    throttle: fn.throttle,
    cancel: fn.cancel,
    ...Object.fromEntries(FLOW_CONTROL_FIELDS.map((k) => [k, fn[k]])),
  };
}

// ---------------------------------------------------------------------------
// Playing the Inngest server: keys and request signing, written from the SDK
// spec (HMAC-SHA256 keyed with the signing key minus its `signkey-<env>-`
// prefix, over the canonical JSON body followed by the unix timestamp).

const SIGNING_KEY = `signkey-test-${randomBytes(32).toString("hex")}`;
const OTHER_SIGNING_KEY = `signkey-test-${randomBytes(32).toString("hex")}`;
const EVENT_KEY = `evtkey${randomBytes(16).toString("hex")}`;

/** What the SDK sends as `Authorization: Bearer …`: the prefix, then sha256 of the key's bytes. */
function hashedSigningKey(key: string): string {
  const [, prefix, hex] = /^(signkey-\w+-)([0-9a-f]+)$/.exec(key)!;
  return `${prefix}${createHash("sha256").update(Buffer.from(hex!, "hex")).digest("hex")}`;
}

/** JSON with object keys sorted at every level (what the SDK re-computes before checking the HMAC). */
function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

function signature(body: string, key: string): string {
  const t = Math.floor(Date.now() / 1000).toString();
  const s = createHmac("sha256", key.replace(/^signkey-\w+-/, ""))
    .update(body + t)
    .digest("hex");
  return `t=${t}&s=${s}`;
}

type InngestEvent = { id?: string; name: string; data: Record<string, unknown>; ts?: number };

/** A first call of a run, as the Inngest server makes it: no step done yet. */
function callBody(event: InngestEvent) {
  const ev = { ...event, id: event.id ?? randomUUID(), ts: event.ts ?? Date.now() };
  return {
    event: ev,
    events: [ev],
    steps: {},
    ctx: {
      run_id: `01${randomBytes(12).toString("hex").toUpperCase()}`,
      attempt: 0,
      max_attempts: 4,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack: [], current: 0 },
    },
    version: 1,
  };
}

type Op = { id: string; op: string; name?: string; displayName?: string; data?: unknown };

// ---------------------------------------------------------------------------

const build = buildPresent();
if (!build && !process.env.CI) {
  console.warn(
    "[server-mode] SKIPPED: no production build (.next/BUILD_ID). Run `npm run build` first; in CI (CI set) this is a failure.",
  );
}

const tmp = mkdtempSync(path.join(tmpdir(), "akol-server-mode-"));
const tail: string[] = [];
let app: AppProcess;
let standIn: InngestStandIn;
let receiver: Receiver;
let tenant: Tenant;
let secret: string;
let serveUrl: string;

beforeAll(async () => {
  if (!build) return;
  standIn = await startInngestStandIn();
  receiver = await startReceiver();
  tenant = await makeTenant("server-mode");
  ({ secret } = await seedWebhook(tenant.workspaceId, { url: receiver.url, events: ["call.ended"] }));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    PORT: String(port),
    APP_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: path.join(tmp, "data"),
    INNGEST_SIGNING_KEY: SIGNING_KEY,
    INNGEST_EVENT_KEY: EVENT_KEY,
    INNGEST_BASE_URL: standIn.url,
    WEBHOOK_ALLOWED_TARGETS: "127.0.0.1",
    NODE_EXTRA_CA_CERTS: testTls().caPath,
    WEBHOOK_DELIVERY_RATE_PER_SECOND: String(RATE_PER_SECOND),
    LOG_LEVEL: "info",
  };
  delete env.INNGEST_DEV;
  for (const k of Object.keys(env)) if (k.startsWith("VITEST") || k === "NODE_OPTIONS") delete env[k];
  app = await startApp({ port, env, logFile: path.join(tmp, "app.log"), tail, readyTimeoutMs: 150_000 });
  serveUrl = `${app.url}/api/inngest`;
}, 180_000);

afterAll(async () => {
  await app?.stop(10_000).catch(() => undefined);
  await standIn?.close();
  await receiver?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const received = (filter: (r: StandInRequest) => boolean) => standIn.requests.filter(filter);

async function callFunction(
  fnId: string,
  event: InngestEvent,
  sign: "signed" | "unsigned" | "other-key",
): Promise<{ status: number; text: string }> {
  const body = sortedJson(callBody(event));
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (sign !== "unsigned")
    headers["x-inngest-signature"] = signature(body, sign === "signed" ? SIGNING_KEY : OTHER_SIGNING_KEY);
  const res = await fetch(`${serveUrl}?fnId=${encodeURIComponent(fnId)}&stepId=step`, {
    method: "POST",
    headers,
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Publishes over the app's API and returns the event the stand-in's event API received for it. */
async function publish(callId: string): Promise<InngestEvent> {
  const before = standIn.requests.length;
  const example = CATALOG.find((c) => c.type === "call.ended")!.example as Record<string, unknown>;
  const res = await fetch(`${app.url}/api/v1/events`, {
    method: "POST",
    headers: { authorization: `Bearer ${tenant.key}`, "content-type": "application/json" },
    body: JSON.stringify({ type: "call.ended", data: { ...example, callId } }),
  });
  const answer = (await res.json()) as { success: boolean; data: { id: string } };
  expect(res.status, JSON.stringify(answer)).toBe(202);
  const sent = standIn.requests.slice(before).filter((r) => r.method === "POST" && r.path.startsWith("/e/"));
  expect(sent, "one request to the event API per publish").toHaveLength(1);
  expect(sent[0]!.path).toBe(`/e/${EVENT_KEY}`);
  const events = JSON.parse(sent[0]!.body) as InngestEvent[];
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    id: answer.data.id,
    name: "webhooks/event.published",
    data: { eventId: answer.data.id, workspaceId: tenant.workspaceId },
  });
  return events[0]!;
}

/**
 * Runs the fan-out of an event through a signed call; returns the deliveries it made. Judged by its effect
 * (the Delivery rows), not by the function's step names, so that a reshaped function still passes when it
 * does the job: a 206 (a step ran, more to come) or a 200 (the run finished).
 */
async function fanOut(event: InngestEvent): Promise<Array<{ deliveryId: string; webhookId: string }>> {
  const res = await callFunction(`${APP_ID}-fan-out`, event, "signed");
  expect([200, 206], res.text).toContain(res.status);
  const eventId = String(event.data.eventId);
  const rows = await db.delivery.findMany({ where: { eventId }, select: { id: true, webhookId: true } });
  return rows.map((r) => ({ deliveryId: r.id, webhookId: r.webhookId }));
}

describe.skipIf(!build)("server mode (Inngest Cloud / self-hosted) against a stand-in Inngest API", () => {
  it("an unsigned sync is refused; a signed sync registers every function, exactly as the table says, with the hashed signing key", async () => {
    // An unsigned sync (`curl -X PUT`) is refused before the SDK sees it: nothing is registered.
    const unsigned = await fetch(serveUrl, { method: "PUT" });
    expect(unsigned.status).toBe(401);
    expect(received((r) => r.path.startsWith("/fn/register"))).toHaveLength(0);
    // Nor does any signature header do: one made with another key is refused too (the SDK itself does not
    // verify an out-of-band sync).
    const forged = await fetch(serveUrl, {
      method: "PUT",
      headers: { "x-inngest-signature": signature("", OTHER_SIGNING_KEY) },
    });
    expect(forged.status).toBe(401);
    expect(received((r) => r.path.startsWith("/fn/register"))).toHaveLength(0);
    // A signed one registers the app with the Inngest API.
    const res = await fetch(serveUrl, {
      method: "PUT",
      headers: { "x-inngest-signature": signature("", SIGNING_KEY) },
    });
    const text = await res.text();
    expect(res.status, `${text}\n${tail.slice(-20).join("\n")}`).toBe(200);
    const registers = received((r) => r.method === "POST" && r.path.startsWith("/fn/register"));
    expect(registers).toHaveLength(1);
    const reg = registers[0]!;
    expect(reg.headers.authorization).toBe(`Bearer ${hashedSigningKey(SIGNING_KEY)}`);
    const payload = JSON.parse(reg.body) as { appName: string; url: string; functions: WireFunction[] };
    expect(payload.appName).toBe(APP_ID);
    expect(payload.url).toBe(serveUrl);

    const actual = payload.functions.map(wireActual).sort((a, b) => String(a.id).localeCompare(String(b.id)));
    const expected = EXPECTED_FUNCTIONS.flatMap((f) => wireExpectation(f, serveUrl)).sort((a, b) =>
      String(a.id).localeCompare(String(b.id)),
    );
    expect(actual).toEqual(expected);
  });

  it("POST /api/v1/events sends the event to the event API; a signed call runs fan-out, then a delivery step", async () => {
    const event = await publish("call_server_mode_1");
    const deliveries = await fanOut(event);
    expect(deliveries).toHaveLength(1);
    const [{ deliveryId, webhookId }] = deliveries as [{ deliveryId: string; webhookId: string }];

    const res = await callFunction(
      `${APP_ID}-deliver`,
      { name: "webhooks/delivery.requested", data: { deliveryId, webhookId, kind: "event" } },
      "signed",
    );
    // A step ran (206: its result, for the server to memoize) or the run finished (200).
    expect([200, 206], res.text).toContain(res.status);
    if (res.status === 206) {
      const ops = JSON.parse(res.text) as Op[];
      expect(ops.length, res.text).toBeGreaterThan(0);
      expect(
        ops.every((o) => o.op === "StepRun" || o.op === "Step"),
        res.text,
      ).toBe(true);
    }

    // The receiver got the webhook, signed with the endpoint's secret, carrying the delivery's message id.
    expect(receiver.requests).toHaveLength(1);
    const hit = receiver.requests[0]!;
    const row = await db.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
    expect(hit.headers["webhook-id"]).toBe(row.messageId);
    const verified = new StandardWebhook(secret).verify(hit.body, {
      "webhook-id": String(hit.headers["webhook-id"]),
      "webhook-timestamp": String(hit.headers["webhook-timestamp"]),
      "webhook-signature": String(hit.headers["webhook-signature"]),
    }) as { data: { callId: string } };
    expect(verified.data.callId).toBe("call_server_mode_1");
    expect(row).toMatchObject({ status: "succeeded", attemptCount: 1, statusCode: 200 });
  });

  it("an unsigned call, or one signed with another key, is refused and delivers nothing", async () => {
    const event = await publish("call_server_mode_2");
    const [{ deliveryId, webhookId }] = (await fanOut(event)) as [{ deliveryId: string; webhookId: string }];
    const before = receiver.requests.length;
    const deliverEvent = { name: "webhooks/delivery.requested", data: { deliveryId, webhookId, kind: "event" } };

    for (const sign of ["unsigned", "other-key"] as const) {
      const res = await callFunction(`${APP_ID}-deliver`, deliverEvent, sign);
      expect(res.status, `${sign}: ${res.text}`).toBe(401);
    }
    // Refused, not run: a delivery would have reached the receiver and recorded an attempt.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.requests.length).toBe(before);
    const row = await db.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
    expect(row).toMatchObject({ status: "pending", attemptCount: 0 });
    expect(await db.deliveryAttempt.count({ where: { deliveryId } })).toBe(0);
  });
});
