import { describe, expect, it } from "vitest";
import { newId } from "@/lib/ids";

describe("newId", () => {
  it("is prefix_ + 10 time characters + 16 random ones, never repeating across refills of its random pool", () => {
    const ids = Array.from({ length: 10_000 }, () => newId("dlv"));
    for (const id of ids) expect(id).toMatch(/^dlv_[0-9A-HJKMNP-TV-Z]{10}[0-9A-HJKMNP-TV-Za-km-z]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // The random parts differ too (not only the time part): no two consecutive ids share them.
    const rand = ids.map((id) => id.slice(14));
    expect(new Set(rand).size).toBe(rand.length);
  });

  it("sorts by creation time", async () => {
    const a = newId("msg");
    await new Promise((r) => setTimeout(r, 5));
    const b = newId("msg");
    expect(a.slice(0, 14) < b.slice(0, 14)).toBe(true);
  });
});
