import { describe, expect, it } from "vitest";
import { conjuncts, evaluate, ExpressionError, keyOf, matches, parseExpr, rootsOf } from "@/inngest/embedded/expr";

const event = { name: "a/b", data: { id: "w1", n: 3, nested: { "x-y": true }, nil: null } };

describe("expressions (CEL subset)", () => {
  it("evaluates comparisons, logic and arithmetic", () => {
    const t = (src: string) => matches(parseExpr(src, ["event"]), { event });
    expect(t("event.data.id == 'w1'")).toBe(true);
    expect(t(`event.data.id == "w2"`)).toBe(false);
    expect(t("event.data.n > 2 && event.data.n <= 3")).toBe(true);
    expect(t("event.data.n + 1 == 4 || false")).toBe(true);
    expect(t("!(event.data.n == 3)")).toBe(false);
    expect(t(`event.data.nested["x-y"] == true`)).toBe(true);
    expect(t("event.data.nil == null")).toBe(true);
    expect(t("event.data.missing == null")).toBe(false); // CEL: no such key is an error, not null
    expect(t("event.data.missing != 'x'")).toBe(false);
    expect(t("event.name == 'a/b'")).toBe(true);
  });

  it("computes keys", () => {
    expect(keyOf(parseExpr("event.data.id", ["event"]), { event })).toBe("w1");
    expect(keyOf(parseExpr("event.data.n", ["event"]), { event })).toBe("3");
    expect(keyOf(parseExpr("event.data.id + '-' + event.name", ["event"]), { event })).toBe("w1-a/b");
    expect(keyOf(parseExpr("event.data.nope", ["event"]), { event })).toBeUndefined();
    expect(evaluate(parseExpr("event.data.nested", ["event"]), { event })).toEqual({ "x-y": true });
  });

  it("splits cancel expressions into their parts", () => {
    const e = parseExpr("event.data.id == async.data.id && async.data.reason == 'deleted'", ["event", "async"]);
    const parts = conjuncts(e);
    expect(parts).toHaveLength(2);
    expect([...rootsOf(parts[0]!)].sort()).toEqual(["async", "event"]);
    expect([...rootsOf(parts[1]!)]).toEqual(["async"]);
  });

  it("rejects what it cannot evaluate", () => {
    for (const bad of [
      "size(event.data) > 1",
      "event.data.id in ['a']",
      "other.x == 1",
      "event.data.",
      "'open",
      "event.data.id ==",
      "a ? b : c",
    ]) {
      expect(() => parseExpr(bad, ["event"]), bad).toThrow(ExpressionError);
    }
  });
});
