import { describe, expect, it } from "vitest";
import { CronError, nextCronTime, parseCron } from "@/inngest/embedded/cron";

const at = (iso: string) => Date.parse(iso);
const next = (cron: string, from: string) => new Date(nextCronTime(parseCron(cron), at(from))!).toISOString();

describe("cron", () => {
  it("computes the next slot of standard expressions (UTC)", () => {
    expect(next("* * * * *", "2026-01-01T10:00:30Z")).toBe("2026-01-01T10:01:00.000Z");
    expect(next("*/5 * * * *", "2026-01-01T10:01:00Z")).toBe("2026-01-01T10:05:00.000Z");
    expect(next("0 3 * * *", "2026-01-01T03:00:00Z")).toBe("2026-01-02T03:00:00.000Z");
    expect(next("30 9 * * MON-FRI", "2026-01-02T10:00:00Z")).toBe("2026-01-05T09:30:00.000Z"); // Fri → Mon
    expect(next("0 0 1 JAN,JUL *", "2026-02-01T00:00:00Z")).toBe("2026-07-01T00:00:00.000Z");
    expect(next("0 0 29 2 *", "2026-03-01T00:00:00Z")).toBe("2028-02-29T00:00:00.000Z");
    expect(next("15,45 8-9 * * *", "2026-01-01T08:46:00Z")).toBe("2026-01-01T09:15:00.000Z");
    expect(next("@hourly", "2026-01-01T08:46:00Z")).toBe("2026-01-01T09:00:00.000Z");
    expect(next("0 0 * * 7", "2026-01-01T00:00:00Z")).toBe("2026-01-04T00:00:00.000Z"); // 7 = Sunday
  });

  it("ORs day-of-month and day-of-week when both are restricted", () => {
    // 2026-01-13 is a Tuesday; the 15th is a Thursday.
    expect(next("0 0 15 * TUE", "2026-01-12T00:00:00Z")).toBe("2026-01-13T00:00:00.000Z");
    expect(next("0 0 15 * TUE", "2026-01-13T00:00:00Z")).toBe("2026-01-15T00:00:00.000Z");
  });

  it("honours a TZ= prefix, across a DST change", () => {
    expect(next("TZ=Europe/Paris 0 9 * * *", "2026-01-01T00:00:00Z")).toBe("2026-01-01T08:00:00.000Z");
    expect(next("TZ=Europe/Paris 0 9 * * *", "2026-03-29T00:00:00Z")).toBe("2026-03-29T07:00:00.000Z");
    expect(next("CRON_TZ=America/New_York 30 17 * * *", "2026-07-01T00:00:00Z")).toBe("2026-07-01T21:30:00.000Z");
  });

  it("rejects malformed or impossible expressions", () => {
    for (const bad of [
      "* * * *",
      "61 * * * *",
      "* * * * MON-",
      "*/0 * * * *",
      "0 0 31 2 *",
      "TZ=Mars/Base 0 0 * * *",
      "@every 5m",
    ]) {
      expect(() => parseCron(bad), bad).toThrow(CronError);
    }
  });
});
