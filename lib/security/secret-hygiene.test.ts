import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as operationalRoute from "@/app/api/v1/operational-webhook/route";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as listRoute from "@/app/api/v1/webhooks/route";
import * as workspaceStatsRoute from "@/app/api/v1/webhooks/stats/route";
import * as itemRoute from "@/app/api/v1/webhooks/[id]/route";
import * as deliveriesRoute from "@/app/api/v1/webhooks/[id]/deliveries/route";
import * as deliveryRoute from "@/app/api/v1/webhooks/[id]/deliveries/[deliveryId]/route";
import * as replayRoute from "@/app/api/v1/webhooks/[id]/deliveries/[deliveryId]/replay/route";
import * as rotateRoute from "@/app/api/v1/webhooks/[id]/rotate-secret/route";
import * as statsRoute from "@/app/api/v1/webhooks/[id]/stats/route";
import * as testRoute from "@/app/api/v1/webhooks/[id]/test/route";
import type { EmbeddedExecutor } from "@/inngest/embedded/executor";
import { ensureEmbeddedExecutor } from "@/inngest/embedded/start";
import { settledDelivery, verifySigned } from "@/test/support/deliveries";
import { waitFor } from "@/test/support/executor";
import { db } from "@/lib/db";
import type { DeliveryView } from "@/lib/delivery/schemas";
import { findEventType } from "@/lib/events/catalog";
import { log } from "@/lib/log";
import { announceOperationalEvent } from "@/lib/operational/announce";
import { BASE, call, dumpDatabaseText, makeTenant, request, type RouteHandler, type Tenant } from "@/test/support/api";
import { captureOutput, type OutputCapture } from "@/test/support/capture";
import { setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";
import { MASKED_SECRET } from "@/lib/webhooks/secret";

/**
 * Secret hygiene (issue 6, item 5): drive every flow that touches a signing
 * secret or an API key (create, rotate, test, publish, retries, replay,
 * probe on URL change and re-enable, delete, key create/use/revoke) with
 * the embedded executor delivering to a real HTTPS receiver, then check
 * that the database dump, everything the process wrote to stdout/stderr
 * (the logger, at debug level) and every recorded response hold no
 * plaintext secret or key, except where the spec shows it: the secret in
 * the create and rotate responses, the key in the key-create response.
 */

type Recorded = { label: string; text: string; allowed: string[] };
/** One form of a secret; `owner` is the plaintext secret or key it derives from. */
type Secret = { name: string; value: string; owner: string };

const responses: Recorded[] = [];
let capture: OutputCapture;
let executor: EmbeddedExecutor | null = null;
let receiver: Receiver;
let restoreEnv: (() => void)[] = [];
let a: Tenant;

beforeAll(async () => {
  capture = captureOutput();
  receiver = await startReceiver();
  restoreEnv = [useTestTargets("127.0.0.1"), setTestEnv({ WEBHOOK_RETRY_SCHEDULE: "1,1", LOG_LEVEL: "debug" })];
  executor = await ensureEmbeddedExecutor({ pollIntervalMs: 100 });
  a = await makeTenant("hyg");
});
afterAll(async () => {
  await executor?.stop({ timeoutMs: 5000 });
  capture.restore();
  for (const r of restoreEnv.reverse()) r();
  await receiver.close();
});

/** Calls a route and records its status, headers and body text; `allowed` are the secrets this response may show. */
async function api<T>(
  label: string,
  handler: RouteHandler,
  req: Request,
  params: Record<string, string> = {},
  allowed: string[] = [],
) {
  const res = await call<T>(handler, req, params);
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  responses.push({ label, text: `${res.status}\n${headers}\n${JSON.stringify(res.body)}`, allowed });
  return res;
}

/** Every form a signing secret could leak in: whole, its base64 key, and the key bytes as base64url and hex. */
function secretForms(name: string, secret: string): Secret[] {
  const b64 = secret.slice("whsec_".length);
  const raw = Buffer.from(b64, "base64");
  return [
    { name: `${name} (whsec_…)`, value: secret, owner: secret },
    { name: `${name} (base64 key)`, value: b64, owner: secret },
    { name: `${name} (base64url key)`, value: raw.toString("base64url").slice(0, 40), owner: secret },
    { name: `${name} (hex key)`, value: raw.toString("hex"), owner: secret },
    { name: `${name} (URL-encoded key)`, value: encodeURIComponent(b64), owner: secret },
  ];
}

function keyForms(name: string, key: string): Secret[] {
  return [
    { name: `${name} (akol_sk_…)`, value: key, owner: key },
    { name: `${name} (random part)`, value: key.slice("akol_sk_".length), owner: key },
  ];
}

function leaks(where: string, text: string, secrets: Secret[], allowed: string[] = []): string[] {
  const out: string[] = [];
  for (const s of secrets) {
    if (allowed.includes(s.owner)) continue;
    const at = text.indexOf(s.value);
    if (at >= 0) out.push(`${s.name} in ${where}: …${text.slice(Math.max(0, at - 80), at + s.value.length + 40)}…`);
  }
  return out;
}

describe("secret hygiene", () => {
  it("no plaintext signing secret or API key in the database, the logs or any response but create/rotate/key-create", async () => {
    const key = { key: a.key };
    const session = { cookie: a.cookie, origin: BASE };
    const wantEvents = () => receiver.requests.filter((q) => !q.body.includes('"webhook.probe"'));

    // API keys: create (the one response allowed to show it), use, list
    const k2res = await api<{ id: string; key: string }>(
      "create api key",
      keysRoute.POST,
      request("POST", "/api/v1/api-keys", { auth: key, body: { name: "second" } }),
    );
    expect(k2res.status).toBe(201);
    const k2 = k2res.body.data.key;
    responses.at(-1)!.allowed.push(k2);
    expect(
      (
        await api(
          "list api keys with the new key",
          keysRoute.GET,
          request("GET", "/api/v1/api-keys", { auth: { key: k2 } }),
        )
      ).status,
    ).toBe(200);

    // create a webhook: its probe is signed with the new secret
    const created = await api<{ id: string; secret: string }>(
      "create webhook",
      listRoute.POST,
      request("POST", "/api/v1/webhooks", {
        auth: key,
        body: { url: receiver.url, events: ["call.ended", "call.missed"] },
      }),
    );
    expect(created.status).toBe(201);
    const w = created.body.data;
    const s1 = w.secret;
    responses.at(-1)!.allowed.push(s1);
    expect(verifySigned(s1, receiver.requests.at(-1)!)).toMatchObject({ type: "webhook.probe" });

    // reads, by key and by session
    expect(
      (
        await api<{ secret: string }[]>(
          "list webhooks (session)",
          listRoute.GET,
          request("GET", "/api/v1/webhooks", { auth: session }),
        )
      ).body.data[0]?.secret,
    ).toBe(MASKED_SECRET);
    expect(
      (
        await api<{ secret: string }>(
          "get webhook",
          itemRoute.GET,
          request("GET", `/api/v1/webhooks/${w.id}`, { auth: key }),
          { id: w.id },
        )
      ).body.data.secret,
    ).toBe(MASKED_SECRET);

    // a test event and a published event (with an Idempotency-Key, answered twice), both delivered and signed with s1
    const test = await api<DeliveryView>(
      "send test event",
      testRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/test`, { auth: key, body: { event: "call.ended" } }),
      { id: w.id },
    );
    expect(test.status).toBe(202);
    await waitFor(() => wantEvents().length >= 1, "the test event");
    expect(verifySigned(s1, wantEvents()[0]!)).toMatchObject({ type: "call.ended", test: true });
    const publish = (label: string, type: string, idem?: string) =>
      api<{ id: string }>(
        label,
        eventsRoute.POST,
        request("POST", "/api/v1/events", {
          auth: key,
          body: { type, data: findEventType(type)!.example },
          headers: idem ? { "idempotency-key": idem } : {},
        }),
      );
    expect((await publish("publish", "call.ended", "hygiene-1")).status).toBe(202);
    expect(
      (await publish("publish again (idempotent replay)", "call.ended", "hygiene-1")).headers.get(
        "Idempotent-Replayed",
      ),
    ).toBe("true");
    await waitFor(() => wantEvents().length >= 2, "the published event");
    expect(verifySigned(s1, wantEvents()[1]!)).toMatchObject({ type: "call.ended" });

    // rotate: the second and last response allowed to show a secret
    const rotated = await api<{ secret: string }>(
      "rotate secret",
      rotateRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/rotate-secret`, { auth: key }),
      { id: w.id },
    );
    expect(rotated.status).toBe(200);
    const s2 = rotated.body.data.secret;
    responses.at(-1)!.allowed.push(s2);
    expect(s2).not.toBe(s1);

    // a failing endpoint: retried until failed (every attempt signed, logged and stored)
    receiver.setHandler((_r, res) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end("nope");
    });
    const failingEvent = await publish("publish to a failing endpoint", "call.missed");
    const failed = await waitFor(
      async () => db.delivery.findFirst({ where: { webhookId: w.id, eventId: failingEvent.body.data.id } }),
      "the failing delivery",
    );
    expect(await settledDelivery(failed.id)).toMatchObject({ status: "failed", attemptCount: 3 });
    receiver.setHandler();

    // replay the failed delivery: signed with the current secret only
    const before = wantEvents().length;
    const replay = await api<DeliveryView>(
      "replay",
      replayRoute.POST,
      request("POST", `/api/v1/webhooks/${w.id}/deliveries/${failed.id}/replay`, { auth: key }),
      { id: w.id, deliveryId: failed.id },
    );
    expect(replay.status).toBe(202);
    await settledDelivery(replay.body.data.id);
    const replayed = await waitFor(
      () =>
        wantEvents()
          .slice(before)
          .find((q) => q.headers["webhook-id"] === failed.messageId),
      "the replayed request",
    );
    expect(verifySigned(s2, replayed)).toMatchObject({ type: "call.missed" });
    expect(() => verifySigned(s1, replayed)).toThrow();

    // delivery logs and stats
    const list = await api<DeliveryView[]>(
      "list deliveries",
      deliveriesRoute.GET,
      request("GET", `/api/v1/webhooks/${w.id}/deliveries?page=1&limit=100`, { auth: key }),
      { id: w.id },
    );
    expect(list.body.data.length).toBeGreaterThanOrEqual(4);
    await api(
      "list failed deliveries (session)",
      deliveriesRoute.GET,
      request("GET", `/api/v1/webhooks/${w.id}/deliveries?success=false`, { auth: session }),
      { id: w.id },
    );
    for (const d of list.body.data)
      await api(
        `get delivery ${d.kind}`,
        deliveryRoute.GET,
        request("GET", `/api/v1/webhooks/${w.id}/deliveries/${d.id}`, { auth: key }),
        { id: w.id, deliveryId: d.id },
      );
    await api("webhook stats", statsRoute.GET, request("GET", `/api/v1/webhooks/${w.id}/stats`, { auth: key }), {
      id: w.id,
    });
    await api("workspace stats", workspaceStatsRoute.GET, request("GET", "/api/v1/webhooks/stats", { auth: session }));

    // URL change and re-enable re-probe with the current secret
    const probesBefore = receiver.requests.length;
    const moved = await api(
      "patch url (probe)",
      itemRoute.PATCH,
      request("PATCH", `/api/v1/webhooks/${w.id}`, {
        auth: session,
        body: { url: receiver.urlFor("127.0.0.1", "/moved") },
      }),
      { id: w.id },
    );
    expect(moved.status).toBe(200);
    await api(
      "disable",
      itemRoute.PATCH,
      request("PATCH", `/api/v1/webhooks/${w.id}`, { auth: key, body: { isActive: false } }),
      { id: w.id },
    );
    expect(
      (
        await api(
          "re-enable (probe)",
          itemRoute.PATCH,
          request("PATCH", `/api/v1/webhooks/${w.id}`, { auth: key, body: { isActive: true } }),
          { id: w.id },
        )
      ).status,
    ).toBe(200);
    expect(receiver.requests.length).toBe(probesBefore + 2);
    for (const probe of receiver.requests.slice(probesBefore))
      expect(verifySigned(s2, probe)).toMatchObject({ type: "webhook.probe" });

    // a failing probe (endpoint answers 500) is reported without the secret
    receiver.setHandler((_r, res) => {
      res.writeHead(500);
      res.end();
    });
    expect(
      (
        await api(
          "patch url, probe fails",
          itemRoute.PATCH,
          request("PATCH", `/api/v1/webhooks/${w.id}`, {
            auth: key,
            body: { url: receiver.urlFor("127.0.0.1", "/fails") },
          }),
          { id: w.id },
        )
      ).status,
    ).toBe(400);
    receiver.setHandler();

    // a second webhook, created then deleted
    const w2 = await api<{ id: string; secret: string }>(
      "create second webhook",
      listRoute.POST,
      request("POST", "/api/v1/webhooks", { auth: session, body: { url: receiver.url, events: ["call.ended"] } }),
    );
    expect(w2.status).toBe(201);
    const s3 = w2.body.data.secret;
    responses.at(-1)!.allowed.push(s3);
    expect(
      (
        await api(
          "delete second webhook",
          itemRoute.DELETE,
          request("DELETE", `/api/v1/webhooks/${w2.body.data.id}`, { auth: key }),
          { id: w2.body.data.id },
        )
      ).status,
    ).toBe(200);

    // revoke the second key, then present it (refused)
    expect(
      (
        await api(
          "revoke key",
          keyRoute.DELETE,
          request("DELETE", `/api/v1/api-keys/${k2res.body.data.id}`, { auth: key }),
          { id: k2res.body.data.id },
        )
      ).status,
    ).toBe(200);
    expect(
      (await api("revoked key refused", keysRoute.GET, request("GET", "/api/v1/api-keys", { auth: { key: k2 } })))
        .status,
    ).toBe(401);
    expect(
      (
        await api(
          "forged key refused",
          keysRoute.GET,
          request("GET", "/api/v1/api-keys", { headers: { authorization: `Bearer ${k2.slice(0, -1)}X` } }),
        )
      ).status,
    ).toBe(401);

    // the operational webhook: set (its secret shown once), read, URL changed (probed with its secret), an event sent
    const ops = await api<{ id: string; secret: string; created: boolean }>(
      "set operational webhook",
      operationalRoute.PUT,
      request("PUT", "/api/v1/operational-webhook", {
        auth: session,
        body: { url: receiver.urlFor("127.0.0.1", "/ops") },
      }),
    );
    expect(ops.status).toBe(200);
    expect(ops.body.data.created).toBe(true);
    const s4 = ops.body.data.secret;
    responses.at(-1)!.allowed.push(s4);
    expect(
      (
        await api(
          "get operational webhook",
          operationalRoute.GET,
          request("GET", "/api/v1/operational-webhook", { auth: key }),
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await api(
          "change operational webhook url",
          operationalRoute.PUT,
          request("PUT", "/api/v1/operational-webhook", {
            auth: key,
            body: { url: receiver.urlFor("127.0.0.1", "/ops2") },
          }),
        )
      ).status,
    ).toBe(200);
    await announceOperationalEvent(a.workspaceId, "webhook.recovered", {
      webhookId: w.id,
      recoveryId: "rcv_hygiene",
      total: 1,
      succeeded: 1,
      failed: 0,
      since: new Date(Date.now() - 60_000).toISOString(),
      until: new Date().toISOString(),
    });
    const opsEvent = await waitFor(
      () => receiver.requests.find((q) => q.path === "/ops2" && q.body.includes('"webhook.recovered"')),
      "the operational event",
    );
    expect(verifySigned(s4, opsEvent)).toMatchObject({ type: "webhook.recovered" });

    // everything delivered settles before we look
    await waitFor(
      async () => (await db.delivery.count({ where: { workspaceId: a.workspaceId, status: "pending" } })) === 0,
      "no pending deliveries",
      30_000,
    );

    // ---- the checks
    const sessionToken = a.cookie.slice(a.cookie.indexOf("=") + 1);
    const secrets: Secret[] = [
      ...secretForms("signing secret 1", s1),
      ...secretForms("signing secret 2 (rotated)", s2),
      ...secretForms("signing secret 3", s3),
      ...secretForms("operational webhook secret", s4),
      ...keyForms("API key 1", a.key),
      ...keyForms("API key 2", k2),
      { name: "session token", value: sessionToken, owner: sessionToken },
    ];
    const found: string[] = [];

    const dump = await dumpDatabaseText();
    expect(dump).toContain(w.id); // the dump is real
    expect(dump).toContain(failed.id);
    found.push(...leaks("the database dump", dump, secrets));

    const logs = capture.text();
    expect(logs.length).toBeGreaterThan(0);
    found.push(...leaks("the process output", logs, secrets));

    expect(responses.length).toBeGreaterThanOrEqual(25);
    for (const r of responses) found.push(...leaks(`the response to "${r.label}"`, r.text, secrets, r.allowed));
    // what the receiver was sent (headers and bodies): signatures only, never the secret
    for (const q of receiver.requests)
      found.push(...leaks(`a request to the receiver ${q.path}`, `${JSON.stringify(q.headers)}\n${q.body}`, secrets));

    expect(found).toEqual([]);

    // and the allowed places do show them (the check above is not vacuous)
    const allowedShown = responses.filter((r) => r.allowed.length > 0);
    expect(allowedShown.map((r) => r.label).sort()).toEqual([
      "create api key",
      "create second webhook",
      "create webhook",
      "rotate secret",
      "set operational webhook",
    ]);
    for (const r of allowedShown) for (const v of r.allowed) expect(r.text).toContain(v);
  });

  it("the logger redacts secrets and keys it is handed on purpose", () => {
    const own = captureOutput();
    const secret = "whsec_" + Buffer.alloc(32, 7).toString("base64");
    const apiKey = `akol_sk_${"Ab3".repeat(10)}xy`;
    try {
      log.info("x", { secret });
      log.warn("nested", { webhook: { config: { secret, apiKey } }, list: [secret] });
      log.error("failure", { err: new Error(`could not sign with ${secret}`), header: `Bearer ${apiKey}` });
      log.info(`message with ${secret} and ${apiKey}`);
    } finally {
      own.restore();
    }
    // (the running executor may log too: look at our four lines)
    const lines = own
      .text()
      .trim()
      .split("\n")
      .filter((l) => /"msg":"(x|nested|failure|message with [^"]*)"/.test(l));
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const text = own.text();
    expect(
      leaks("log output", text, [...secretForms("deliberate secret", secret), ...keyForms("deliberate key", apiKey)]),
    ).toEqual([]);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", msg: "x", secret: "whsec_[redacted]" });
    expect(text).toMatch(/akol_(sk_)?\[redacted\]/);
  });
});
