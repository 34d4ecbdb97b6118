import { describe, expect, it } from "vitest";
import {
  compileFunctions,
  parseDuration,
  sleepUntil,
  type SyncedFunction,
  UnsupportedFunctionOptionError,
} from "@/inngest/embedded/protocol";
import { parseRetryAfter } from "@/lib/outbound/retry-after";
import {
  canonicalJson,
  embeddedSigningKey,
  hashSigningKey,
  signRequest,
  verifySignature,
} from "@/inngest/embedded/signing";

const step = {
  step: { id: "step", name: "step", runtime: { type: "http", url: "http://x/api/inngest?fnId=app-f&stepId=step" } },
};
const fn = (extra: Record<string, unknown>): SyncedFunction => ({
  id: "app-f",
  name: "f",
  triggers: [{ event: "a/b" }],
  steps: step,
  ...extra,
});

describe("protocol", () => {
  it("parses Inngest time strings, sleep targets and retry-after", () => {
    expect(parseDuration("1s")).toBe(1000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("")).toBe(0);
    expect(() => parseDuration("soon")).toThrow();
    expect(sleepUntil("2030-01-01T00:00:00.000Z", 0)).toBe(Date.parse("2030-01-01T00:00:00Z"));
    expect(sleepUntil("10s", 1000)).toBe(11_000);
    // retry-after (lib/outbound/retry-after.ts, shared with the delivery client): seconds from now
    expect(parseRetryAfter("5", 1000)).toBe(5);
    expect(parseRetryAfter("2030-01-01T00:00:00.000Z", 0)).toBe(Date.parse("2030-01-01T00:00:00Z") / 1000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });

  it("compiles supported options", () => {
    const [d] = compileFunctions([
      fn({
        triggers: [{ event: "a/*", expression: "event.data.x == 1" }, { cron: "TZ=UTC */10 * * * *" }],
        throttle: { limit: 5, period: "1m", key: "event.data.w" },
        cancel: [{ event: "a/c", if: "event.data.w == async.data.w", timeout: "1h" }],
        idempotency: "event.data.id",
        steps: { step: { ...step.step, retries: { attempts: 0 } } },
      }),
    ]);
    expect(d).toMatchObject({ id: "app-f", maxAttempts: 1, throttle: { limit: 5, periodMs: 60_000 } });
    expect(d!.events[0]).toMatchObject({ event: "a/", prefix: true });
    expect(d!.crons[0]!.cron).toBe("TZ=UTC */10 * * * *");
    expect(d!.cancel[0]).toMatchObject({ event: "a/c", timeoutMs: 3_600_000 });
    expect(d!.cancel[0]!.pairs).toHaveLength(1);
  });

  it("refuses every option it would otherwise ignore, listing all of them", () => {
    let err: unknown;
    try {
      compileFunctions([
        fn({ rateLimit: { limit: 1, period: "1s" } }),
        fn({ id: "app-g", concurrency: 3 }),
        fn({ id: "app-h", batchEvents: { maxSize: 10, timeout: "5s", key: "event.data.a" } }),
        fn({ id: "app-h2", batchEvents: { maxSize: 10, timeout: "5s" }, idempotency: "event.data.a" }),
        fn({ id: "app-h3", batchEvents: { maxSize: 10, timeout: "500ms" } }),
        fn({ id: "app-i", throttle: { limit: 1, period: "1s", burst: 3 } }),
        fn({ id: "app-j", cancel: [{ event: "x", if: "event.data.a + async.data.b == 2" }] }),
        fn({ id: "app-k", triggers: [{ event: "a/b", expression: "size(event.data) > 0" }] }),
        fn({
          id: "app-l",
          priority: { run: "100" },
          timeouts: { finish: "1m" },
          singleton: { mode: "skip" },
          debounce: { period: "1s" },
        }),
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedFunctionOptionError);
    const problems = (err as UnsupportedFunctionOptionError).problems.join("\n");
    for (const word of [
      "rateLimit",
      "concurrency",
      "batchEvents.key is not supported",
      "batchEvents cannot be combined with idempotency",
      "batchEvents needs maxSize >= 1 and timeout >= 1s",
      "burst",
      "cancelOn expression",
      "trigger expression",
      "priority",
      "timeouts",
      "singleton",
      "debounce",
    ]) {
      expect(problems).toContain(word);
    }
  });
});

describe("signing", () => {
  it("derives a stable key in the SDK's format", () => {
    const k = embeddedSigningKey("a".repeat(43));
    expect(k).toMatch(/^signkey-prod-[0-9a-f]{64}$/);
    expect(embeddedSigningKey("a".repeat(43))).toBe(k);
    expect(embeddedSigningKey("b".repeat(43))).not.toBe(k);
    expect(hashSigningKey(k)).toMatch(/^signkey-prod-[0-9a-f]{64}$/);
  });

  it("canonicalizes JSON like the SDK and verifies signatures", () => {
    const value = { b: [1, "x", null, { z: 1, a: [true] }], a: { é: 1, A: 2, _: undefined }, n: -0.5e-7 };
    const c = canonicalJson(value);
    expect(c).toBe('{"a":{"A":2,"é":1},"b":[1,"x",null,{"a":[true],"z":1}],"n":-5e-8}');
    expect(canonicalJson(JSON.parse(c))).toBe(c);
    const key = embeddedSigningKey("s".repeat(43));
    const sig = signRequest(c, key, 1_700_000_000_000);
    expect(sig).toMatch(/^t=1700000000&s=[0-9a-f]{64}$/);
    expect(verifySignature(sig, c, key, { nowMs: 1_700_000_001_000 })).toBe(true);
    expect(verifySignature(sig, c + " ", key, { nowMs: 1_700_000_001_000 })).toBe(false);
    expect(verifySignature(sig, c, key, { nowMs: 1_700_000_000_000 + 6 * 60_000 })).toBe(false);
  });

  it("compiles batchEvents (maxSize, timeout)", () => {
    const [d] = compileFunctions([fn({ id: "app-m", batchEvents: { maxSize: 100, timeout: "1s" } })]);
    expect(d?.batch).toEqual({ maxSize: 100, timeoutMs: 1000 });
  });
});
