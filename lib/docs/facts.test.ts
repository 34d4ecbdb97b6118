import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";

/**
 * What the docs say, checked against the code that does it: the defaults of
 * the configurable facts, the fixed limits, and the exact shape of the probe
 * and test-event bodies the docs print.
 */

const sent = vi.hoisted(() => ({ bodies: [] as string[], events: [] as unknown[] }));

vi.mock("@/lib/outbound/http-client", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/outbound/http-client")>();
  return {
    ...real,
    sendWebhookRequest: async (opts: { body: string | Uint8Array }) => {
      sent.bodies.push(typeof opts.body === "string" ? opts.body : Buffer.from(opts.body).toString("utf8"));
      return { ok: true, status: 204, bodyTruncated: false, durationMs: 1 };
    },
  };
});

vi.mock("@/inngest/client", () => ({
  inngest: {
    send: async (event: unknown) => {
      sent.events.push(event);
      return { ids: ["x"] };
    },
  },
}));

const { db } = await import("@/lib/db");
const { RESPONSE_BODY_LIMIT_BYTES: CLIENT_BODY_LIMIT } = await import("@/lib/outbound/http-client");
const { MAX_RETRY_AFTER_SECONDS, retryDelaySeconds, maxAttempts } = await import("@/lib/delivery/schedule");
const { MAX_WEBHOOK_URL_LENGTH } = await import("@/lib/outbound/ssrf");
const { sendTestEvent } = await import("@/lib/delivery/test-event");
const { createDeliveriesForEvent } = await import("@/lib/delivery/fan-out");
const { publishEvent } = await import("@/lib/events/publish");
const { EXAMPLE_TIMESTAMP, exampleEnvelope, exampleProbeBody } = await import("@/lib/docs/examples");
const facts = await import("@/lib/docs/facts");
const { env, parseSettings } = await import("@/lib/env");
const { CATALOG } = await import("@/lib/events/catalog");
const { newId } = await import("@/lib/ids");
const { makeTenant } = await import("@/test/support/api");
const { probeEndpoint } = await import("@/lib/webhooks/probe");
const { encryptSecret, generateSecret } = await import("@/lib/webhooks/secret");

describe("configurable facts", () => {
  it("are the defaults the README and the brief promise when nothing is set", () => {
    expect(facts.docsSettings(parseSettings({ NODE_ENV: "test" }))).toEqual({
      retrySchedule: [5, 300, 1800, 7200, 18000, 36000, 36000],
      timeoutMs: 15_000,
      probeTimeoutMs: 10_000,
      disableAfterFailures: 100,
      disableAfterDays: 5,
      retentionDays: 30,
      deliveryRatePerSecond: 50,
      apiRateLimitPerMinute: 600,
    });
  });

  it("follow the deployment's settings", () => {
    const s = facts.docsSettings(
      parseSettings({
        NODE_ENV: "test",
        WEBHOOK_RETRY_SCHEDULE: "1,2",
        WEBHOOK_TIMEOUT_MS: "2500",
        DELIVERY_RETENTION_DAYS: "7",
      }),
    );
    expect(s.retrySchedule).toEqual([1, 2]);
    expect(s.timeoutMs).toBe(2500);
    expect(s.retentionDays).toBe(7);
  });

  it("render the default schedule as 8 attempts over about 27.6 hours", () => {
    const schedule = parseSettings({ NODE_ENV: "test" }).WEBHOOK_RETRY_SCHEDULE;
    const rows = facts.retryRows(schedule);
    expect(rows.map((r) => (r.attempt === 1 ? "immediately" : facts.formatDuration(r.delaySeconds)))).toEqual([
      "immediately",
      "5 s",
      "5 min",
      "30 min",
      "2 h",
      "5 h",
      "10 h",
      "10 h",
    ]);
    expect(facts.formatDuration(rows.at(-1)?.afterFirstSeconds ?? 0)).toBe("27 h 35 min 5 s");
    expect(facts.retryWindowHours(schedule)).toBe("27.6");
    expect(rows).toHaveLength(8);
  });

  it("format timeouts and sizes as the docs print them", () => {
    expect(facts.formatMs(15_000)).toBe("15 s");
    expect(facts.formatMs(2_500)).toBe("2.5 s");
    expect(facts.formatMs(800)).toBe("800 ms");
    expect(facts.formatBytes(16 * 1024)).toBe("16 KiB");
    expect(facts.formatDuration(24 * 3600)).toBe("24 h");
  });
});

describe("fixed facts", () => {
  it("match the delivery code", () => {
    expect(facts.RETRY_AFTER_CAP_SECONDS).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(facts.RESPONSE_BODY_LIMIT_BYTES).toBe(CLIENT_BODY_LIMIT);
    expect(facts.MAX_URL_LENGTH).toBe(MAX_WEBHOOK_URL_LENGTH);
    const clientSource = readFileSync(new URL("../outbound/http-client.ts", import.meta.url), "utf8");
    expect(clientSource).toMatch(
      new RegExp(`const CONNECT_TIMEOUT_MS = ${facts.CONNECT_TIMEOUT_MS.toLocaleString("en").replace(/,/g, "_")};`),
    );
  });

  it("jitter is ±10 % and Retry-After replaces the delay, capped at 24 h", () => {
    const base = env().WEBHOOK_RETRY_SCHEDULE[0];
    if (base === undefined) return;
    const pct = facts.RETRY_JITTER_PERCENT / 100;
    expect(retryDelaySeconds(1, undefined, () => 0)).toBeCloseTo(base * (1 - pct), 2);
    expect(retryDelaySeconds(1, undefined, () => 1)).toBeCloseTo(base * (1 + pct), 2);
    expect(retryDelaySeconds(1, 120)).toBe(120);
    expect(retryDelaySeconds(1, 10 * 24 * 3600)).toBe(facts.RETRY_AFTER_CAP_SECONDS);
    expect(retryDelaySeconds(maxAttempts(), 120)).toBeNull();
  });
});

describe("the bodies the docs print", () => {
  it("the probe body has the shape probeEndpoint sends", async () => {
    sent.bodies.length = 0;
    await probeEndpoint({ url: "https://example.com/hook", secret: generateSecret(), webhookId: "whk_docs" });
    const real = JSON.parse(sent.bodies[0] ?? "{}") as Record<string, unknown>;
    const doc = exampleProbeBody();
    expect(Object.keys(real)).toEqual(Object.keys(doc));
    expect(real.type).toBe(doc.type);
    expect(real.data).toEqual({ ...doc.data, webhookId: "whk_docs" });
  });

  it("a test event's body is the catalog example with the same keys, in the same order, as the docs show", async () => {
    const tenant = await makeTenant("docs");
    const id = newId("whk");
    const webhook = await db.webhook.create({
      data: {
        id,
        workspaceId: tenant.workspaceId,
        url: "https://example.com/hook",
        events: ["call.ended"],
        secretEncrypted: encryptSecret(generateSecret(), id),
      },
    });
    for (const def of CATALOG) {
      const view = await sendTestEvent(webhook, def.type);
      const row = await db.delivery.findUniqueOrThrow({ where: { id: view.id } });
      const real = JSON.parse(row.payload) as Record<string, unknown>;
      const doc = exampleEnvelope(def, { test: true });
      expect(Object.keys(real)).toEqual(Object.keys(doc));
      expect({ ...real, timestamp: EXAMPLE_TIMESTAMP }).toEqual(doc);
    }
    expect(sent.events).toHaveLength(CATALOG.length);
  });

  it("an event's body is the compact JSON of the example the docs print, byte for byte", async () => {
    const tenant = await makeTenant("docs");
    const id = newId("whk");
    await db.webhook.create({
      data: {
        id,
        workspaceId: tenant.workspaceId,
        url: "https://example.com/hook",
        events: CATALOG.map((d) => d.type),
        secretEncrypted: encryptSecret(generateSecret(), id),
      },
    });
    for (const def of CATALOG) {
      const event = await publishEvent(tenant.workspaceId, {
        type: def.type,
        data: def.example,
        timestamp: EXAMPLE_TIMESTAMP,
      });
      const [delivery] = await createDeliveriesForEvent(event.id);
      const row = await db.delivery.findUniqueOrThrow({ where: { id: delivery?.deliveryId ?? "" } });
      const real = JSON.parse(row.payload) as Record<string, unknown>;
      expect(real).toEqual(exampleEnvelope(def));
      expect(Object.keys(real)).toEqual(["type", "timestamp", "data"]);
      expect(row.payload).toBe(JSON.stringify(real)); // compact: no indentation
      expect(row.payload).toBe(JSON.stringify(exampleEnvelope(def))); // data keeps the publisher's key order
    }
  });
});
