import { canonicalJson } from "@/inngest/embedded/signing";
import { pool } from "@/lib/db";

/** Test helpers for the embedded executor (imported by *.test.ts only). */

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false && v !== null) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
}

export type RunRow = {
  id: string;
  functionId: string;
  status: string;
  attempt: number;
  event: { name: string; data: Record<string, unknown>; id: string };
  steps: Record<string, { type: string; [k: string]: unknown }>;
  stack: string[];
  output: unknown;
  error: { name?: string; message?: string } | null;
  throttleKey: string | null;
  cancelKeys: string[] | null;
  lockedBy: string | null;
  startedMs: number | null;
  wakeMs: number;
};

export async function runs(where = "TRUE", params: unknown[] = []): Promise<RunRow[]> {
  const res = await pool().query<RunRow>(
    `SELECT id, "functionId", status, attempt, event, steps, stack, output, error, "throttleKey", "cancelKeys", "lockedBy",
            (extract(epoch from "startedAt") * 1000)::float8 AS "startedMs", (extract(epoch from "wakeAt") * 1000)::float8 AS "wakeMs"
       FROM "ExecutorRun" WHERE ${where} ORDER BY "createdAt", id`,
    params,
  );
  return res.rows;
}

export function counter() {
  const counts = new Map<string, number>();
  return {
    bump(key: string): number {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n;
    },
    get(key: string): number {
      return counts.get(key) ?? 0;
    },
    all(): Map<string, number> {
      return counts;
    },
  };
}

export const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};

/** The body of a first call of a run, as an Inngest server sends it (no step done yet): for forged-call tests. */
export function firstCallBody(event: { name: string; data: Record<string, unknown>; id: string; ts: number }): string {
  return canonicalJson({
    event,
    events: [],
    steps: {},
    ctx: {
      run_id: "run_evil",
      attempt: 0,
      max_attempts: 1,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack: [], current: 0 },
    },
    version: 2,
  });
}
