import { randomBytes } from "node:crypto";
import { embeddedRegistry } from "@/inngest/embedded/client";
import {
  type CallBody,
  type CallResult,
  callFunction,
  type FunctionDef,
  type InngestEvent,
  type MemoEntry,
  type Op,
  type SerializedError,
  sleepUntil,
  stepUrl,
  toSerializedError,
  type Transport,
} from "@/inngest/embedded/protocol";
import { FUNCTION_FAILED, normalizeEvent, type Router } from "@/inngest/embedded/router";
import type { ClaimedRun, PendingEntry, RunStore, RunUpdate } from "@/inngest/embedded/store";
import { log } from "@/lib/log";

/**
 * The run driver: drives one claimed run to its next resting point — call
 * the served function, apply the ops it answers (memoize results, plan
 * steps, retries with back-off, sleeps), persist, call again while there is
 * work, then release the run with a wake time, or finish it (complete, or
 * fail and start its onFailure runs). The claim loop (executor.ts) hands it
 * runs.
 */

/** What the driver needs from the executor that claimed the run. */
export type DriverHost = {
  readonly store: RunStore;
  router(): Router;
  readonly transport: Transport;
  readonly signingKey: string;
  /** In-process calls checkpoint each step through embeddedFetch. */
  readonly checkpointing: boolean;
  readonly checkpointAuth: string;
  backoff(attempt: number): number;
  readonly completedRetentionMs: number;
  readonly failedRetentionMs: number;
  /** Crashed (stop with abandon): write nothing more. */
  isDead(): boolean;
  isStopping(): boolean;
  /** The run's lease was lost (cancelled or taken over). */
  isLost(runId: string): boolean;
  markLost(runId: string): void;
  /** A run will be due at `ms`. */
  noteWake(ms: number): void;
  /** New runs are due now. */
  wakeSoon(): void;
};

/** In-memory state of a run being driven. */
type RunState = {
  id: string;
  def: FunctionDef;
  event: InngestEvent;
  /** `[event]`, or a batch's events (batchEvents). */
  events: InngestEvent[];
  memo: Record<string, MemoEntry>;
  stack: string[];
  pending: Map<string, PendingEntry>;
  attempt: number;
  /** Changes since the last persist. */
  set: Record<string, MemoEntry | PendingEntry>;
  remove: Set<string>;
  push: string[];
  /** New memoized results since the last discovery call. */
  dirty: boolean;
  lastError?: SerializedError;
  /** Set by a checkpoint that cannot continue (unsupported op): ends the run after the call. */
  halted?: Outcome;
};

type Outcome =
  | { kind: "continue" }
  | { kind: "complete"; output: unknown }
  | { kind: "fail"; error: SerializedError }
  /** Stopping: the checkpointed state is saved, give the run back. */
  | { kind: "yield" };

const SUPPORTED_OPS = "step.run, step.sleep, step.sleepUntil, step.sendEvent and parallel steps";

export class RunDriver {
  constructor(private readonly host: DriverHost) {}

  async drive(row: ClaimedRun): Promise<void> {
    const def = this.host.router().byId.get(row.functionId);
    if (!def) return; // not ours (claim filters by id; defensive)
    const st: RunState = {
      id: row.id,
      def,
      event: row.event,
      events: row.events,
      memo: {},
      stack: row.stack.filter((s): s is string => typeof s === "string"),
      pending: new Map(),
      attempt: row.attempt,
      set: {},
      remove: new Set(),
      push: [],
      dirty: true,
    };
    for (const [id, s] of Object.entries(row.steps)) {
      if (s.type === "data" || s.type === "error") st.memo[id] = s;
      else if (s.type === "planned" || s.type === "sleep") st.pending.set(id, s);
    }
    // Steps already planned (discovered, or waiting for a retry) run when due, each by its own call;
    // a discovery call now would run a step waiting for its retry at once, skipping its back-off.
    if ([...st.pending.values()].some((p) => p.type === "planned")) st.dirty = false;
    // Calls lost to a dead executor or an unsavable result consumed attempts (store.ts): once they are
    // used up, the step fails (and with it the run, unless the function catches it) — never a loop.
    for (const [id, p] of st.pending) {
      if (p.type === "planned" && p.attempt >= def.maxAttempts) {
        st.lastError = lostError(p.attempt);
        this.fulfill(st, id, { type: "error", error: st.lastError });
      }
    }
    if (st.attempt >= def.maxAttempts) {
      await this.failRun(st, lostError(st.attempt));
      return;
    }

    while (true) {
      if (this.host.isDead()) return;
      const now = Date.now();
      let outcome: Outcome = { kind: "continue" };

      for (const [id, p] of st.pending) {
        if (p.type === "sleep" && p.until <= now) this.fulfill(st, id, { type: "data", data: null });
      }
      const due = [...st.pending].filter(
        (e): e is [string, Extract<PendingEntry, { type: "planned" }>] => e[1].type === "planned" && e[1].at <= now,
      );
      if (due.length) {
        const results = await Promise.all(
          due.map(([id, p]) => this.call(st, id, p.attempt).then((r) => ({ id, p, r }))),
        );
        if (this.host.isDead()) return;
        for (const { id, p, r } of results) {
          const o = this.applyStepResult(st, id, p.attempt, r);
          if (outcome.kind === "continue") outcome = o;
        }
      } else if (st.dirty) {
        st.dirty = false;
        const r = await this.call(st, "step", st.attempt);
        if (this.host.isDead() || this.host.isLost(st.id)) return;
        if (st.halted) outcome = st.halted;
        else if (r.kind === "done") outcome = { kind: "complete", output: r.output };
        else if (r.kind === "error") {
          st.lastError = r.error;
          if (!r.retriable || st.attempt + 1 >= def.maxAttempts) outcome = { kind: "fail", error: r.error };
          else {
            st.attempt++;
            await this.save(st, "queued", r.retryAtMs ?? Date.now() + this.host.backoff(st.attempt));
            return;
          }
        } else outcome = this.applyOps(st, r, st.attempt);
      }

      if (outcome.kind === "yield") {
        await this.save(st, "queued", Date.now());
        return;
      }
      if (outcome.kind === "complete") {
        await this.save(st, "completed", Date.now() + this.host.completedRetentionMs, outcome.output);
        return;
      }
      if (outcome.kind === "fail") {
        await this.failRun(st, outcome.error);
        return;
      }
      const later = Date.now();
      const immediate =
        st.dirty || [...st.pending.values()].some((p) => (p.type === "planned" ? p.at : p.until) <= later);
      if (immediate && !this.host.isStopping() && !this.host.isLost(st.id)) {
        // New planned steps alone need no write: a crash re-discovers them.
        const needsSave =
          st.push.length > 0 ||
          st.remove.size > 0 ||
          Object.values(st.set).some((e) => !(e.type === "planned" && e.attempt === 0));
        if (needsSave && !(await this.save(st, "running"))) return;
        continue;
      }
      let next = Infinity;
      for (const p of st.pending.values()) next = Math.min(next, p.type === "planned" ? p.at : p.until);
      if (immediate) next = later;
      if (next === Infinity) {
        // An answer without ops or result (should not happen): retry the call like a function error.
        st.lastError = { name: "Error", message: "the SDK answered without ops or result" };
        if (st.attempt + 1 >= def.maxAttempts) {
          await this.failRun(st, st.lastError);
          return;
        }
        st.attempt++;
        st.dirty = true;
        next = Date.now() + this.host.backoff(st.attempt);
      }
      await this.save(st, "queued", next);
      return;
    }
  }

  private fulfill(st: RunState, id: string, entry: MemoEntry): void {
    st.memo[id] = entry;
    st.set[id] = entry;
    if (!st.stack.includes(id)) {
      st.stack.push(id);
      st.push.push(id);
    }
    st.pending.delete(id);
    st.dirty = true;
    st.attempt = 0;
  }

  private setPending(st: RunState, id: string, entry: PendingEntry): void {
    st.pending.set(id, entry);
    st.set[id] = entry;
  }

  private async call(st: RunState, stepId: string, attempt: number): Promise<CallResult> {
    const body: CallBody = {
      event: st.event,
      events: st.events,
      steps: st.memo,
      ctx: {
        run_id: st.id,
        attempt,
        max_attempts: st.def.maxAttempts,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack: st.stack, current: Math.max(0, st.stack.length - 1) },
      },
    };
    if (!this.host.checkpointing || stepId !== "step") {
      return callFunction(this.host.transport, stepUrl(st.def.url, stepId), body, this.host.signingKey, st.id);
    }
    // In-process discovery call with async checkpointing: step results arrive
    // through the sink while the call is in flight.
    const qiId = `${st.id}:${randomBytes(6).toString("hex")}`;
    body.ctx.fn_id = st.def.id;
    body.ctx.qi_id = qiId;
    const sinks = embeddedRegistry().checkpoints;
    sinks.set(qiId, async (payload, authorization) => {
      if (authorization !== this.host.checkpointAuth) return 401;
      if (this.host.isDead() || this.host.isLost(st.id) || payload.run_id !== st.id || st.halted) return 409;
      const ops = Array.isArray(payload.steps)
        ? (payload.steps as unknown[]).filter(
            (o): o is Op =>
              !!o && typeof o === "object" && typeof (o as Op).id === "string" && typeof (o as Op).op === "string",
          )
        : [];
      const outcome = this.applyOps(st, { kind: "ops", ops }, attempt);
      st.dirty = false; // the SDK goes on from this state within the same call
      if (outcome.kind !== "continue") {
        st.halted = outcome;
        return 409;
      }
      if (!(await this.save(st, "running"))) {
        this.host.markLost(st.id);
        return 409;
      }
      if (this.host.isStopping()) {
        st.halted = { kind: "yield" }; // 409 makes the SDK stop after this (saved) step
        return 409;
      }
      return 200;
    });
    try {
      return await callFunction(this.host.transport, stepUrl(st.def.url, stepId), body, this.host.signingKey, st.id);
    } finally {
      sinks.delete(qiId);
    }
  }

  /** Applies a 206 op list from a call made at `attempt`. */
  private applyOps(st: RunState, r: Extract<CallResult, { kind: "ops" }>, attempt: number): Outcome {
    const now = Date.now();
    for (const op of r.ops) {
      switch (op.op) {
        case "StepRun":
        case "Step":
          this.fulfill(st, op.id, { type: "data", data: op.data === undefined ? null : op.data });
          break;
        case "StepFailed":
          this.fulfill(st, op.id, { type: "error", error: toSerializedError(op.error) });
          break;
        case "StepError": {
          const error = toSerializedError(op.error);
          st.lastError = error;
          // The attempt that just failed is never below one already scheduled for this step: a
          // failure always moves the step towards its limit (no reset to a lower attempt).
          const prior = st.pending.get(op.id);
          attempt = Math.max(attempt, prior?.type === "planned" ? prior.attempt : 0);
          if (r.noRetry === true || attempt + 1 >= st.def.maxAttempts)
            this.fulfill(st, op.id, { type: "error", error });
          else
            this.setPending(st, op.id, {
              type: "planned",
              attempt: attempt + 1,
              at: r.retryAtMs ?? now + this.host.backoff(attempt + 1),
            });
          break;
        }
        case "StepPlanned":
          if (!st.pending.has(op.id) && !st.memo[op.id])
            this.setPending(st, op.id, { type: "planned", attempt: 0, at: now });
          break;
        case "Sleep": {
          if (st.pending.has(op.id) || st.memo[op.id]) break;
          const value = typeof op.opts?.duration === "string" ? op.opts.duration : (op.name ?? "");
          let until: number;
          try {
            until = sleepUntil(value, now);
          } catch (err) {
            return {
              kind: "fail",
              error: { name: "Error", message: `invalid sleep "${value}": ${(err as Error).message}` },
            };
          }
          if (until <= now) this.fulfill(st, op.id, { type: "data", data: null });
          else this.setPending(st, op.id, { type: "sleep", until });
          break;
        }
        case "RunComplete":
          return { kind: "complete", output: op.data ?? null };
        case "DiscoveryRequest":
          st.dirty = true;
          break;
        case "StepNotFound":
          if (st.pending.delete(op.id)) {
            st.remove.add(op.id);
            delete st.set[op.id];
          }
          st.dirty = true;
          break;
        default:
          return { kind: "fail", error: unsupportedOp(op) };
      }
    }
    return { kind: "continue" };
  }

  /** Applies the answer to a call that asked for one planned step (`stepId=<id>`). */
  private applyStepResult(st: RunState, id: string, attempt: number, r: CallResult): Outcome {
    if (r.kind === "ops") return this.applyOps(st, r, attempt);
    if (r.kind === "done") return { kind: "complete", output: r.output };
    st.lastError = r.error;
    if (!r.retriable || attempt + 1 >= st.def.maxAttempts) return { kind: "fail", error: r.error };
    this.setPending(st, id, {
      type: "planned",
      attempt: attempt + 1,
      at: r.retryAtMs ?? Date.now() + this.host.backoff(attempt + 1),
    });
    return { kind: "continue" };
  }

  /** Persists the changes since the last save. False when the lease was lost. */
  private async save(st: RunState, status: RunUpdate["status"], wakeAtMs?: number, output?: unknown): Promise<boolean> {
    if (this.host.isDead()) return false;
    const update = runUpdate(st, status, {
      ...(wakeAtMs !== undefined ? { wakeAtMs } : {}),
      ...(output !== undefined ? { output } : {}),
      ...(st.lastError ? { error: st.lastError } : {}),
    });
    st.set = {};
    st.remove = new Set();
    st.push = [];
    st.lastError = undefined;
    const ok = await this.withRetry(() => this.host.store.persist(update), st.id);
    if (!ok) {
      log.info("embedded executor lost a run (cancelled or taken over)", { run: st.id, function: st.def.id });
      return false;
    }
    if (status === "queued" && wakeAtMs !== undefined) this.host.noteWake(wakeAtMs);
    return true;
  }

  /**
   * Retries a write through short database trouble (a deadlock victim, a
   * dropped connection). If it still fails the run keeps its lease until it
   * expires and is then resumed from its last persisted op.
   */
  private async withRetry<R>(write: () => Promise<R>, runId: string): Promise<R> {
    for (let i = 0; ; i++) {
      try {
        return await write();
      } catch (err) {
        if (i >= 4 || this.host.isDead()) throw err;
        log.warn("embedded executor write failed; retrying", { run: runId, err });
        await new Promise((r) => setTimeout(r, 100 * 2 ** i));
      }
    }
  }

  private async failRun(st: RunState, error: SerializedError): Promise<void> {
    if (this.host.isDead()) return;
    const incoming = normalizeEvent(
      { name: FUNCTION_FAILED, data: { function_id: st.def.id, run_id: st.id, error, event: st.event } },
      Date.now(),
    );
    const failureRuns = this.host
      .router()
      .matching(incoming.event)
      .map((d) => this.host.router().newRun(d, incoming, ["failed", st.id]));
    const update = runUpdate(st, "failed", { wakeAtMs: Date.now() + this.host.failedRetentionMs, error });
    const ok = await this.withRetry(() => this.host.store.fail(update, failureRuns), st.id);
    log.warn("embedded Inngest function run failed", { run: st.id, function: st.def.id, error: error.message });
    if (ok && failureRuns.length) this.host.wakeSoon();
  }
}

/** The update that writes a run's unsaved step changes (set, remove, push) with its attempt and new status. */
function runUpdate(
  st: RunState,
  status: RunUpdate["status"],
  extra: Pick<RunUpdate, "wakeAtMs" | "output" | "error">,
): RunUpdate {
  return { id: st.id, set: st.set, remove: [...st.remove], push: st.push, attempt: st.attempt, status, ...extra };
}

function lostError(attempts: number): SerializedError {
  return {
    name: "Error",
    message: `the step was attempted ${attempts} times without its outcome being saved (its executor stopped or could not store the result)`,
  };
}

function unsupportedOp(op: Op): SerializedError {
  const what: Record<string, string> = {
    WaitForEvent: "step.waitForEvent",
    InvokeFunction: "step.invoke",
    AIGateway: "step.ai.infer",
    Gateway: "step.fetch",
    WaitForSignal: "step.waitForSignal",
    DeferAdd: "defer()",
    DeferAbort: "defer()",
  };
  return {
    name: "NonRetriableError",
    message: `${what[op.op] ?? `step op "${op.op}"`} (step "${op.displayName ?? op.name ?? op.id}") is not supported by the embedded Inngest executor; it supports ${SUPPORTED_OPS}`,
  };
}
