import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as listRoute from "@/app/api/v1/webhooks/route";
import * as deliveriesRoute from "@/app/api/v1/webhooks/[id]/deliveries/route";
import type { EmbeddedExecutor } from "@/inngest/embedded/executor";
import { ensureEmbeddedExecutor } from "@/inngest/embedded/start";
import { db } from "@/lib/db";
import type { DeliveryView } from "@/lib/delivery/schemas";
import {
  EVENT_TYPES,
  findEventType,
  type CatalogEntry,
  type EventDataInput,
  type EventTypeName,
} from "@/lib/events/catalog";
import { jsonMemberText, minifyJson } from "@/lib/events/json-text";
import { publishEvent } from "@/lib/events/publish";
import type { WebhookView } from "@/lib/webhooks/schemas";
import { call, makeTenant, request, type Tenant } from "@/test/support/api";
import { verifySigned } from "@/test/support/deliveries";
import { waitFor } from "@/test/support/executor";
import { startReceiver, useTestTargets, type Receiver, type ReceivedRequest } from "@/test/support/https-receiver";

describe("json-text", () => {
  it("drops whitespace between tokens only", () => {
    expect(minifyJson(' { "a b" : [ 1 , "x\\" y" ] ,\n\t"c":{ } } ')).toBe('{"a b":[1,"x\\" y"],"c":{}}');
  });

  it("finds a top-level member's text: nested look-alikes, escaped keys, the last duplicate", () => {
    const text = '{"x":{"data":1},"d\\u0061ta":{"b":1, "a":[2,{"data":3}]},"y":"\\"data\\":4","data" : {"z":0} }';
    expect(jsonMemberText(text, "data")).toBe('{"z":0}');
    expect(jsonMemberText(text, "x")).toBe('{"data":1}');
    expect(jsonMemberText(text, "y")).toBe('"\\"data\\":4"');
    expect(jsonMemberText('{"data":{"b":1,"a":2}}', "data")).toBe('{"b":1,"a":2}');
    expect(jsonMemberText('{"type":"t"}', "data")).toBeUndefined();
  });
});

describe("types (checked by tsc, which npm test runs)", () => {
  it("keeps literal type names and types data by its event type", () => {
    expectTypeOf(EVENT_TYPES).toEqualTypeOf<readonly EventTypeName[]>();
    expectTypeOf<"call.ended">().toExtend<EventTypeName>();
    expectTypeOf<string>().not.toExtend<EventTypeName>();
    expectTypeOf(findEventType("call.ended").example).toEqualTypeOf<EventDataInput<"call.ended">>();
    expectTypeOf(findEventType("call.ended".toString())).toEqualTypeOf<CatalogEntry | undefined>();
    const calls = (workspaceId: string) => [
      publishEvent(workspaceId, { type: "call.ended", data: findEventType("call.ended").example }),
      // @ts-expect-error call.ended data needs durationSeconds, endReason and the rest
      publishEvent(workspaceId, { type: "call.ended", data: { callId: "call_1" } }),
      // @ts-expect-error not a type of the catalog
      publishEvent(workspaceId, { type: "call.unknown", data: {} }),
      // @ts-expect-error the data of another type
      publishEvent(workspaceId, { type: "call.ended", data: findEventType("call.missed").example }),
    ];
    expect(calls).toBeTypeOf("function"); // never called: these lines are compile-time checks
  });
});

describe("event data as published", () => {
  let executor: EmbeddedExecutor | null;
  let restoreTargets: () => void;
  let tenant: Tenant;
  let receiver: Receiver;
  let webhook: WebhookView & { secret: string };

  beforeAll(async () => {
    restoreTargets = useTestTargets("127.0.0.1");
    executor = await ensureEmbeddedExecutor({ pollIntervalMs: 100 });
    tenant = await makeTenant("published-bytes");
    receiver = await startReceiver();
    const res = await call<WebhookView & { secret: string }>(
      listRoute.POST,
      request("POST", "/api/v1/webhooks", {
        auth: { key: tenant.key },
        body: { url: receiver.url, events: ["call.ended"] },
      }),
    );
    expect(res.status).toBe(201);
    webhook = res.body.data;
  });
  afterAll(async () => {
    await executor?.stop({ timeoutMs: 5000 });
    await receiver.close();
    restoreTargets();
  });

  const verify = (q: ReceivedRequest) => verifySigned(webhook.secret, q);

  /** Maps each received request to its event, through the delivery log (payloads are stored per delivery). */
  async function deliveryOf(eventId: string): Promise<{ view: DeliveryView; request: ReceivedRequest }> {
    return waitFor(async () => {
      const row = await db.delivery.findFirst({ where: { eventId } });
      if (!row) return null;
      const q = receiver.requests.find((r) => r.headers["webhook-id"] === row.messageId);
      if (!q) return null;
      const list = await call<DeliveryView[]>(
        deliveriesRoute.GET,
        request("GET", `/api/v1/webhooks/${webhook.id}/deliveries`, { auth: { key: tenant.key } }),
        { id: webhook.id },
      );
      const view = list.body.data.find((d) => d.eventId === eventId);
      return view ? { view, request: q } : null;
    }, `the delivery of ${eventId}`);
  }

  it("signs and sends the publisher's key order, numbers and escapes, with whitespace between tokens removed", async () => {
    const example = findEventType("call.ended").example;
    // Keys in reverse of the schema's order, integer-like keys (JSON.parse would move them first), number
    // spellings and escapes that a parse + stringify round trip would rewrite, and the publisher's whitespace.
    const fields = Object.entries(example)
      .reverse()
      .map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
    const dataText = `{\n  "b": 1,\n  "a": 2,\n  "10": "ten",\n  "2": "two",\n  "price": 1.50,\n  "big": 12345678901234567890,\n  "note": "caf\\u00e9 \\"quoted\\"  two  spaces",\n${fields.join(",\n")}\n}`;
    const body = `{ "type": "call.ended",\n  "data": ${dataText} }`;
    const res = await call<{ id: string }>(
      eventsRoute.POST,
      request("POST", "/api/v1/events", {
        auth: { key: tenant.key },
        rawBody: body,
        headers: { "content-type": "application/json" },
      }),
    );
    expect(res.status).toBe(202);

    const expected = minifyJson(dataText);
    expect(expected.startsWith('{"b":1,"a":2,"10":"ten","2":"two","price":1.50,"big":12345678901234567890,')).toBe(
      true,
    );
    expect(expected).toContain('"note":"caf\\u00e9 \\"quoted\\"  two  spaces"');

    const { view, request: q } = await deliveryOf(res.body.data.id);
    // The receiver got exactly those bytes inside the envelope, and the signature covers them.
    expect(q.body).toMatch(/^\{"type":"call\.ended","timestamp":"[^"]+","data":/);
    expect(q.body.endsWith(`,"data":${expected}}`)).toBe(true);
    expect(() => verify(q)).not.toThrow();
    // What is stored is what was sent, and the API shows it in the same key order.
    expect((await db.delivery.findFirstOrThrow({ where: { eventId: res.body.data.id } })).payload).toBe(q.body);
    const shown = (view.payload as { data: Record<string, unknown> }).data;
    expect(Object.keys(shown).filter((k) => !/^\d+$/.test(k))).toEqual(
      Object.keys(JSON.parse(expected) as object).filter((k) => !/^\d+$/.test(k)),
    );
    expect(Object.keys(shown).slice(2, 4)).toEqual(["b", "a"]); // after the integer-like keys JSON objects put first
  });

  it("keeps a server-side publisher's key order too", async () => {
    const { callId, ...rest } = findEventType("call.ended").example;
    const data = { zz: true, ...rest, callId };
    const published = await publishEvent(tenant.workspaceId, { type: "call.ended", data });
    const { request: q } = await deliveryOf(published.id);
    expect(q.body.endsWith(`,"data":${JSON.stringify(data)}}`)).toBe(true);
    expect(q.body).toContain('"data":{"zz":true,');
    expect(() => verify(q)).not.toThrow();
  });

  it("still validates what it keeps", async () => {
    const res = await call(
      eventsRoute.POST,
      request("POST", "/api/v1/events", {
        auth: { key: tenant.key },
        rawBody: '{"type":"call.ended","data":{"b":1,"a":2}}',
        headers: { "content-type": "application/json" },
      }),
    );
    expect(res.status).toBe(400);
    expect(await db.event.count({ where: { workspaceId: tenant.workspaceId, data: '{"b":1,"a":2}' } })).toBe(0);
  });
});
