import { afterEach, describe, expect, it, vi } from "vitest";
import { REPEAT_INTERVAL_MS, log } from "@/lib/log";

function captureStderr() {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return { lines: () => lines.join("").split("\n").filter(Boolean), restore: () => spy.mockRestore() };
}

describe("log: repeated identical warnings and errors", () => {
  afterEach(() => vi.useRealTimers());

  it("writes an identical error once per interval, then once more with the count left out", () => {
    vi.useFakeTimers({ now: new Date("2026-01-01T00:00:00Z"), toFake: ["Date"] });
    const out = captureStderr();
    const err = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5"), { code: "ECONNREFUSED" });
    try {
      for (let i = 0; i < 50; i++) {
        log.error("log-test loop error", { err });
        vi.advanceTimersByTime(100); // every 100 ms, like the executor's poll
      }
      log.error("log-test other error", { err }); // a different message is not held back
      vi.advanceTimersByTime(REPEAT_INTERVAL_MS);
      log.error("log-test loop error", { err });
    } finally {
      out.restore();
    }
    const ours = out.lines().map((l) => JSON.parse(l) as { msg: string; repeated?: number });
    const loop = ours.filter((l) => l.msg === "log-test loop error");
    expect(loop).toHaveLength(2);
    expect(loop[0]!.repeated).toBeUndefined();
    expect(loop[1]!.repeated).toBe(49);
    expect(ours.filter((l) => l.msg === "log-test other error")).toHaveLength(1);
  });

  it("treats the same error thrown from another call site (another stack) as the same line", () => {
    const out = captureStderr();
    const fromClaim = () => new Error("connect ECONNREFUSED 127.0.0.1:6");
    const fromBatch = () => new Error("connect ECONNREFUSED 127.0.0.1:6");
    try {
      const a = fromClaim();
      const b = fromBatch();
      a.stack = `${a.stack}\n    at claim`;
      b.stack = `${b.stack}\n    at formBatch`;
      log.error("log-test poll error", { err: a });
      log.error("log-test poll error", { err: b });
    } finally {
      out.restore();
    }
    const lines = out.lines().filter((l) => l.includes("log-test poll error"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("at claim"); // the first one keeps its stack
  });

  it("does not hold back errors that differ in their fields", () => {
    const out = captureStderr();
    try {
      log.warn("log-test delivery failed", { webhookId: "wh_1" });
      log.warn("log-test delivery failed", { webhookId: "wh_2" });
    } finally {
      out.restore();
    }
    expect(out.lines().filter((l) => l.includes("log-test delivery failed"))).toHaveLength(2);
  });
});
