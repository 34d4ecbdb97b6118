import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { embeddedRegistry, type EventIntake, EventValidationError } from "@/inngest/embedded/client";
import { nextCronTime } from "@/inngest/embedded/cron";
import {
  type CallBody,
  type CallResult,
  callFunction,
  compileFunctions,
  type FunctionDef,
  type InngestEvent,
  type MemoEntry,
  type Op,
  type SerializedError,
  sleepUntil,
  stepUrl,
  syncFunctions,
  toSerializedError,
  type Transport,
  UnsupportedFunctionOptionError,
} from "@/inngest/embedded/protocol";
import {
  deterministicRunId,
  FUNCTION_CANCELLED,
  FUNCTION_FAILED,
  type IncomingEvent,
  normalizeEvent,
  Router,
  SCHEDULED_TIMER,
} from "@/inngest/embedded/router";
import { embeddedSigningKey, hashSigningKey } from "@/inngest/embedded/signing";
import {
  type CancelledRun,
  type ClaimedRun,
  type CronRow,
  type NewRun,
  type PendingEntry,
  RunStore,
  type RunUpdate,
} from "@/inngest/embedded/store";
import { log } from "@/lib/log";

/**
 * The embedded executor: runs the app's Inngest functions in-process when no
 * Inngest server is configured, by driving the SDK's own `serve()` handler
 * over the SDK HTTP protocol (protocol.ts), with every run durable in
 * PostgreSQL (store.ts). The function code is unchanged: the same functions
 * run on Inngest Cloud or a self-hosted Inngest.
 *
 * Per run: claim (lease) → call → apply the answer's ops → persist → call
 * again at once while there is work (no poll in between) → release with a
 * wake time (sleep, retry back-off, throttle slot) or finish. Leases are
 * renewed while a call is in flight and reclaimed when they expire, so a
 * crashed instance's runs resume elsewhere from their last persisted op —
 * at once when its database session is gone (each instance holds a liveness
 * lock, store.ts holdLiveness), after the lease otherwise.
 */

export type EmbeddedServeHandlerLike = {
  /**
   * The `serve()` handler (e.g. `serve({ client, functions })` from
   * `inngest/next`, or its `POST`/`PUT`-capable bare function), called
   * in-process with a `Request`: no HTTP hop.
   */
  handler?(request: Request, context?: unknown): Promise<Response> | Response;
};

export type EmbeddedExecutorOptions = EmbeddedServeHandlerLike & {
  /**
   * The serve endpoint. With `handler`, only used to build request URLs
   * (default `http://localhost/api/inngest`); without, the executor calls it
   * over HTTP.
   */
  serveUrl?: string;
  /** Defaults to embeddedSigningKey() (derived from AUTH_SECRET): must match the served client's key. */
  signingKey?: string;
  /** Defaults to the app's pool (lib/db). */
  pool?: pg.Pool;
  /** How often to look for due runs when nothing woke the loop. Default 1000. */
  pollIntervalMs?: number;
  /** Runs driven at once by this instance. Default 64. */
  concurrency?: number;
  /** Lease on a claimed run; renewed every third of it. Default 30 s. */
  leaseMs?: number;
  /** Back-off before retry `attempt` (1 = first retry) when the SDK gives no retry-after. */
  retryBackoffMs?: (attempt: number) => number;
  /** How long finished runs stay (for idempotency and inspection). Default 24 h. */
  completedRetentionMs?: number;
  /** How long failed / cancelled runs stay. Default 7 days. */
  failedRetentionMs?: number;
  /** Identifies this instance in `lockedBy`. */
  instanceId?: string;
  /** Make this executor the target of embeddedFetch (inngest.send / step.sendEvent). Default true. */
  register?: boolean;
  /**
   * Let the SDK run consecutive steps in one call, checkpointing each result
   * through embeddedFetch (persisted before the next step starts). Only with
   * an in-process `handler` (the served client's fetch must reach this
   * executor). Default true with a handler.
   */
  checkpointing?: boolean;
};

/** An event as `inngest.send` takes it. `id` makes it idempotent (runs are created once per id and function). */
export type EventInput = {
  name: string;
  data?: Record<string, unknown>;
  id?: string;
  ts?: number;
  [k: string]: unknown;
};

export type EmbeddedExecutor = {
  readonly instanceId: string;
  /** The synced functions. */
  readonly functions: readonly FunctionDef[];
  /** Stores the runs the events trigger (durably, before resolving) and wakes the executor; resolves with the event ids. */
  send(events: EventInput | EventInput[]): Promise<{ ids: string[] }>;
  /** Resolves when no run of these functions is due now or running (sleeping / backing-off runs may remain). */
  drain(opts?: { timeoutMs?: number }): Promise<void>;
  /**
   * Stops claiming, lets in-flight calls finish (up to `timeoutMs`, default
   * 10 s) and releases what is left. `abandon: true` simulates a crash:
   * nothing more is written, leases simply expire.
   */
  stop(opts?: { timeoutMs?: number; abandon?: boolean }): Promise<void>;
};

export const ROUTE_FUNCTION_ID = "__route__";
const INTERNAL_TRIGGER_OK = new Set([FUNCTION_FAILED, FUNCTION_CANCELLED]);

export function defaultRetryBackoffMs(attempt: number): number {
  const base = Math.min(10_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Wakes the loop early: notify() now, or earlier() when a nearer deadline appears while it waits. */
class Signal {
  private pending = false;
  private resolve: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private deadline = Infinity;

  notify(): void {
    this.pending = true;
    this.fire();
  }

  earlier(deadline: number): void {
    if (this.resolve && deadline < this.deadline) this.arm(deadline);
  }

  async wait(deadline: number): Promise<void> {
    if (!this.pending && deadline > Date.now()) {
      await new Promise<void>((resolve) => {
        this.resolve = resolve;
        this.arm(deadline);
      });
    }
    this.pending = false;
    this.deadline = Infinity;
  }

  private arm(deadline: number): void {
    this.deadline = deadline;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), Math.max(0, Math.min(deadline - Date.now(), 2 ** 31 - 1)));
  }

  private fire(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const r = this.resolve;
    this.resolve = undefined;
    r?.();
  }
}

/** In-memory state of a run being driven. */
type RunState = {
  id: string;
  def: FunctionDef;
  event: InngestEvent;
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

class Executor implements EmbeddedExecutor, EventIntake {
  readonly instanceId: string;
  functions: FunctionDef[] = [];
  private router!: Router;
  private readonly transport: Transport;
  private readonly checkpointing: boolean;
  private readonly checkpointAuth: string;
  private readonly serveUrl: string;
  private readonly signingKey: string;
  private readonly store: RunStore;
  private readonly pollIntervalMs: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly backoff: (attempt: number) => number;
  private readonly completedRetentionMs: number;
  private readonly failedRetentionMs: number;
  private readonly signal = new Signal();
  /** Runs being driven: id → driver promise and claim number (a run can be released and claimed again). */
  private readonly active = new Map<string, { done: Promise<void>; claim: number }>();
  private claims = 0;
  private readonly lost = new Set<string>();
  private claimIds: string[] = [];
  private wakeTimes: number[] = [];
  private maybeMore = false;
  private stopping = false;
  private dead = false;
  private loopDone: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private cronTimer: NodeJS.Timeout | undefined;
  private lastMaintenance = 0;
  private lastPrune = 0;

  constructor(private readonly opts: EmbeddedExecutorOptions & { pool: pg.Pool }) {
    this.instanceId = opts.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    if (opts.handler) {
      this.transport = async (req) => {
        const res = await opts.handler!(req);
        if (!(res instanceof Response)) throw new Error("the serve handler did not return a Response");
        return res;
      };
      this.serveUrl = opts.serveUrl ?? "http://localhost/api/inngest";
    } else {
      if (!opts.serveUrl) throw new Error("startEmbeddedExecutor needs a handler or a serveUrl");
      this.transport = (req) => fetch(req);
      this.serveUrl = opts.serveUrl;
    }
    this.signingKey = opts.signingKey ?? embeddedSigningKey();
    this.checkpointing = Boolean(opts.handler) && opts.checkpointing !== false;
    this.checkpointAuth = `Bearer ${hashSigningKey(this.signingKey)}`;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.concurrency = Math.max(1, opts.concurrency ?? 64);
    this.leaseMs = Math.max(1000, opts.leaseMs ?? 30_000);
    this.backoff = opts.retryBackoffMs ?? defaultRetryBackoffMs;
    this.completedRetentionMs = opts.completedRetentionMs ?? 24 * 3_600_000;
    this.failedRetentionMs = opts.failedRetentionMs ?? 7 * 24 * 3_600_000;
    this.store = new RunStore(opts.pool, this.instanceId, this.leaseMs, this.failedRetentionMs);
  }

  get accepting(): boolean {
    return !this.stopping;
  }

  async start(): Promise<void> {
    const synced = await syncFunctions(this.transport, this.serveUrl, this.signingKey);
    this.functions = compileFunctions(synced);
    const problems: string[] = [];
    for (const d of this.functions) {
      for (const t of d.events) {
        if (t.event.startsWith("inngest/") && !INTERNAL_TRIGGER_OK.has(t.event)) {
          problems.push(`function "${d.id}": trigger "${t.event}" is never emitted by the embedded executor`);
        }
      }
    }
    if (problems.length) throw new UnsupportedFunctionOptionError(problems);
    this.router = new Router(this.functions);
    this.claimIds = [...this.functions.map((f) => f.id), ROUTE_FUNCTION_ID];

    const now = Date.now();
    const crons: CronRow[] = [];
    for (const d of this.functions) {
      for (const c of d.crons) {
        const nextMs = nextCronTime(c.schedule, now);
        if (nextMs !== undefined)
          crons.push({
            id: `cron_${deterministicRunId(d.id, c.cron).slice(4)}`,
            functionId: d.id,
            cron: c.cron,
            nextMs,
          });
      }
    }
    await this.store.syncCrons(
      crons,
      this.functions.map((f) => f.id),
    );
    if (!(await this.store.holdLiveness()))
      log.warn("embedded executor: another session holds this instance id's liveness lock", {
        instance: this.instanceId,
      });
    await this.store.reclaimExpired();

    if (this.opts.register !== false) {
      const reg = embeddedRegistry();
      reg.intakes.push(this);
    }
    this.loopDone = this.loop();
    this.timers.push(setInterval(() => void this.heartbeat(), Math.floor(this.leaseMs / 3)));
    this.scheduleCron();
    log.info("embedded Inngest executor started", {
      instance: this.instanceId,
      functions: this.functions.map((f) => f.id),
      concurrency: this.concurrency,
    });
  }

  // -------------------------------------------------------------------------
  // Events

  async send(raw: EventInput | EventInput[] | unknown[]): Promise<{ ids: string[] }> {
    const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
    const now = Date.now();
    let events: IncomingEvent[];
    try {
      events = list.map((e) => normalizeEvent(e, now));
    } catch (err) {
      throw new EventValidationError((err as Error).message);
    }
    await this.intake(events, now);
    return { ids: events.map((e) => e.event.id) };
  }

  private async intake(events: IncomingEvent[], now: number, consume?: string): Promise<void> {
    const { runs, cancels } = this.router.route(events, now);
    if (!runs.length && !cancels.length && !consume) return;
    const res = await this.store.intake({
      runs,
      cancels,
      onCancelled: (c) => this.cancelledRuns(c),
      ...(consume ? { consume } : {}),
    });
    this.noteInserted(res.inserted);
  }

  private cancelledRuns(cancelled: CancelledRun[]): NewRun[] {
    if (!this.router.listensTo(FUNCTION_CANCELLED)) return [];
    const now = Date.now();
    const events = cancelled.map((c) =>
      normalizeEvent(
        { name: FUNCTION_CANCELLED, data: { function_id: c.functionId, run_id: c.id, event: c.event } },
        now,
      ),
    );
    return events.flatMap((e, i) =>
      this.router.matching(e.event).map((d) => this.router.newRun(d, e, ["cancelled", cancelled[i]!.id])),
    );
  }

  private noteInserted(inserted: Array<{ id: string; wakeMs: number }>): void {
    const now = Date.now();
    for (const r of inserted) {
      if (r.wakeMs <= now) {
        this.maybeMore = true;
        this.signal.notify();
      } else this.noteWake(r.wakeMs);
    }
  }

  private noteWake(ms: number): void {
    if (ms - Date.now() > this.pollIntervalMs * 60) return; // the poll will find it
    const a = this.wakeTimes;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! < ms) lo = mid + 1;
      else hi = mid;
    }
    if (a[lo] !== ms) a.splice(lo, 0, ms);
    if (a.length > 10_000) a.length = 10_000;
    this.signal.earlier(ms);
  }

  // -------------------------------------------------------------------------
  // Loop

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const now = Date.now();
        if (now - this.lastMaintenance >= Math.min(this.leaseMs / 2, 5000)) await this.maintenance(now);
        while (this.wakeTimes.length && this.wakeTimes[0]! <= now) {
          this.wakeTimes.shift();
          this.maybeMore = true;
        }
        let free = this.concurrency - this.active.size;
        if (free > 0 && free < this.concurrency / 4 && this.maybeMore) {
          // A backlog is waiting: let a few more slots free up so one claim takes several runs.
          await this.signal.wait(Date.now() + 3);
          free = this.concurrency - this.active.size;
        }
        if (free > 0) {
          const want = Math.min(free, 100);
          this.maybeMore = false;
          const rows = await this.store.claim(this.claimIds, want);
          for (const row of rows) this.startDriver(row);
          if (rows.length === want) {
            this.maybeMore = true;
            if (this.active.size < this.concurrency) continue;
          }
        }
        await this.signal.wait(Math.min(Date.now() + this.pollIntervalMs, this.wakeTimes[0] ?? Infinity));
      } catch (err) {
        if (this.stopping) break;
        log.error("embedded executor loop error", { err });
        await this.signal.wait(Date.now() + this.pollIntervalMs);
      }
    }
  }

  private async maintenance(now: number): Promise<void> {
    this.lastMaintenance = now;
    await this.store
      .holdLiveness()
      .catch((err: unknown) => log.error("embedded executor could not take its liveness lock", { err }));
    const orphaned = await this.store.reclaimOrphaned();
    if (orphaned) {
      log.warn("embedded executor requeued the runs of an instance that died", { count: orphaned });
      this.maybeMore = true;
    }
    const reclaimed = await this.store.reclaimExpired();
    if (reclaimed) {
      log.warn("embedded executor reclaimed runs with expired leases", { count: reclaimed });
      this.maybeMore = true;
    }
    if (this.functions.some((f) => f.crons.length)) await this.fireCrons();
    if (now - this.lastPrune >= 60_000) {
      this.lastPrune = now;
      await this.store.prune();
    }
  }

  private scheduleCron(): void {
    if (this.stopping) return;
    const now = Date.now();
    let next = Infinity;
    for (const d of this.functions)
      for (const c of d.crons) next = Math.min(next, nextCronTime(c.schedule, now - 1) ?? Infinity);
    if (next === Infinity) return;
    // Fire at the slot, and re-check at least every minute (slots registered by other instances, missed timers).
    const delay = Math.max(0, Math.min(next - now, 60_000)) + 5;
    this.cronTimer = setTimeout(() => void this.fireCrons().finally(() => this.scheduleCron()), delay);
  }

  private async fireCrons(): Promise<void> {
    if (this.stopping) return;
    try {
      const created = await this.store.fireDueCrons(
        this.functions.filter((f) => f.crons.length).map((f) => f.id),
        (row) => {
          const def = this.router.byId.get(row.functionId);
          const trigger = def?.crons.find((c) => c.cron === row.cron);
          if (!def || !trigger) return undefined;
          const nextMs =
            nextCronTime(trigger.schedule, Math.max(Date.now(), row.dueMs)) ?? Date.now() + 365 * 86_400_000;
          const slot = new Date(row.dueMs).toISOString();
          const incoming = normalizeEvent(
            { name: SCHEDULED_TIMER, data: { cron: row.cron }, id: `cron-${row.id}-${slot}` },
            Date.now(),
          );
          const jitter = trigger.jitterMs ? Math.floor(Math.random() * trigger.jitterMs) : 0;
          const run = this.router.newRun(
            def,
            { ...incoming, userId: false },
            ["cron", row.id, slot],
            jitter ? Date.now() + jitter : undefined,
          );
          return { run, nextMs };
        },
      );
      if (created) {
        this.maybeMore = true;
        this.signal.notify();
      }
    } catch (err) {
      log.error("embedded executor cron error", { err });
    }
  }

  private async heartbeat(): Promise<void> {
    if (this.dead || this.active.size === 0) return;
    const snapshot = [...this.active].map(([id, a]) => [id, a.claim] as const);
    try {
      const held = await this.store.heartbeat(snapshot.map(([id]) => id));
      for (const [id, claim] of snapshot) if (!held.has(id) && this.active.get(id)?.claim === claim) this.lost.add(id);
    } catch (err) {
      log.error("embedded executor heartbeat failed", { err });
    }
  }

  private startDriver(row: ClaimedRun): void {
    this.lost.delete(row.id);
    const claim = ++this.claims;
    const done = (row.functionId === ROUTE_FUNCTION_ID ? this.routeRow(row) : this.drive(row))
      .catch((err: unknown) => log.error("embedded executor run failed unexpectedly", { run: row.id, err }))
      .finally(() => {
        if (this.active.get(row.id)?.claim === claim) {
          this.active.delete(row.id);
          this.lost.delete(row.id);
        }
        if (this.maybeMore) this.signal.notify();
      });
    this.active.set(row.id, { done, claim });
  }

  /** Events stored by embeddedFetch while no executor ran in that process. */
  private async routeRow(row: ClaimedRun): Promise<void> {
    const stored = (row.event as unknown as { events?: IncomingEvent[] }).events ?? [];
    await this.intake(stored, Date.now(), row.id);
  }

  // -------------------------------------------------------------------------
  // Driving one run

  private async drive(row: ClaimedRun): Promise<void> {
    const def = this.router.byId.get(row.functionId);
    if (!def) return; // not ours (claim filters by id; defensive)
    const st: RunState = {
      id: row.id,
      def,
      event: row.event,
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
      if (this.dead) return;
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
        if (this.dead) return;
        for (const { id, p, r } of results) {
          const o = this.applyStepResult(st, id, p.attempt, r);
          if (outcome.kind === "continue") outcome = o;
        }
      } else if (st.dirty) {
        st.dirty = false;
        const r = await this.call(st, "step", st.attempt);
        if (this.dead || this.lost.has(st.id)) return;
        if (st.halted) outcome = st.halted;
        else if (r.kind === "done") outcome = { kind: "complete", output: r.output };
        else if (r.kind === "error") {
          st.lastError = r.error;
          if (!r.retriable || st.attempt + 1 >= def.maxAttempts) outcome = { kind: "fail", error: r.error };
          else {
            st.attempt++;
            await this.save(st, "queued", r.retryAtMs ?? Date.now() + this.backoff(st.attempt));
            return;
          }
        } else outcome = this.applyOps(st, r, st.attempt);
      }

      if (outcome.kind === "yield") {
        await this.save(st, "queued", Date.now());
        return;
      }
      if (outcome.kind === "complete") {
        await this.save(st, "completed", Date.now() + this.completedRetentionMs, outcome.output);
        return;
      }
      if (outcome.kind === "fail") {
        await this.failRun(st, outcome.error);
        return;
      }
      const later = Date.now();
      const immediate =
        st.dirty || [...st.pending.values()].some((p) => (p.type === "planned" ? p.at : p.until) <= later);
      if (immediate && !this.stopping && !this.lost.has(st.id)) {
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
        next = Date.now() + this.backoff(st.attempt);
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
      events: [st.event],
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
    if (!this.checkpointing || stepId !== "step") {
      return callFunction(this.transport, stepUrl(st.def.url, stepId), body, this.signingKey, st.id);
    }
    // In-process discovery call with async checkpointing: step results arrive
    // through the sink while the call is in flight.
    const qiId = `${st.id}:${randomBytes(6).toString("hex")}`;
    body.ctx.fn_id = st.def.id;
    body.ctx.qi_id = qiId;
    const sinks = embeddedRegistry().checkpoints;
    sinks.set(qiId, async (payload, authorization) => {
      if (authorization !== this.checkpointAuth) return 401;
      if (this.dead || this.lost.has(st.id) || payload.run_id !== st.id || st.halted) return 409;
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
        this.lost.add(st.id);
        return 409;
      }
      if (this.stopping) {
        st.halted = { kind: "yield" }; // 409 makes the SDK stop after this (saved) step
        return 409;
      }
      return 200;
    });
    try {
      return await callFunction(this.transport, stepUrl(st.def.url, stepId), body, this.signingKey, st.id);
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
              at: r.retryAtMs ?? now + this.backoff(attempt + 1),
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
      at: r.retryAtMs ?? Date.now() + this.backoff(attempt + 1),
    });
    return { kind: "continue" };
  }

  /** Persists the changes since the last save. False when the lease was lost. */
  private async save(st: RunState, status: RunUpdate["status"], wakeAtMs?: number, output?: unknown): Promise<boolean> {
    if (this.dead) return false;
    const update: RunUpdate = {
      id: st.id,
      set: st.set,
      remove: [...st.remove],
      push: st.push,
      attempt: st.attempt,
      status,
      ...(wakeAtMs !== undefined ? { wakeAtMs } : {}),
      ...(output !== undefined ? { output } : {}),
      ...(st.lastError ? { error: st.lastError } : {}),
    };
    st.set = {};
    st.remove = new Set();
    st.push = [];
    st.lastError = undefined;
    const ok = await this.withRetry(() => this.store.persist(update), st.id);
    if (!ok) {
      log.info("embedded executor lost a run (cancelled or taken over)", { run: st.id, function: st.def.id });
      return false;
    }
    if (status === "queued" && wakeAtMs !== undefined) this.noteWake(wakeAtMs);
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
        if (i >= 4 || this.dead) throw err;
        log.warn("embedded executor write failed; retrying", { run: runId, err });
        await new Promise((r) => setTimeout(r, 100 * 2 ** i));
      }
    }
  }

  private async failRun(st: RunState, error: SerializedError): Promise<void> {
    if (this.dead) return;
    const incoming = normalizeEvent(
      { name: FUNCTION_FAILED, data: { function_id: st.def.id, run_id: st.id, error, event: st.event } },
      Date.now(),
    );
    const failureRuns = this.router
      .matching(incoming.event)
      .map((d) => this.router.newRun(d, incoming, ["failed", st.id]));
    const update: RunUpdate = {
      id: st.id,
      set: st.set,
      remove: [...st.remove],
      push: st.push,
      attempt: st.attempt,
      status: "failed",
      wakeAtMs: Date.now() + this.failedRetentionMs,
      error,
    };
    const ok = await this.withRetry(() => this.store.fail(update, failureRuns), st.id);
    log.warn("embedded Inngest function run failed", { run: st.id, function: st.def.id, error: error.message });
    if (ok && failureRuns.length) {
      this.maybeMore = true;
      this.signal.notify();
    }
  }

  // -------------------------------------------------------------------------
  // Lifecycle

  async drain(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (this.active.size === 0) {
        const p = await this.store.pending(this.claimIds);
        if (p.due === 0 && p.running === 0 && this.active.size === 0) return;
        this.maybeMore = true;
        this.signal.notify();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`embedded executor did not drain within ${opts.timeoutMs ?? 30_000} ms`);
  }

  private stopped: Promise<void> | undefined;

  stop(opts: { timeoutMs?: number; abandon?: boolean } = {}): Promise<void> {
    if (opts.abandon) {
      this.dead = true;
      return this.shutdown(opts);
    }
    this.stopped ??= this.shutdown(opts);
    return this.stopped;
  }

  private async shutdown(opts: { timeoutMs?: number; abandon?: boolean }): Promise<void> {
    this.stopping = true;
    const reg = embeddedRegistry();
    reg.intakes = reg.intakes.filter((i) => i !== this);
    for (const t of this.timers) clearInterval(t);
    if (this.cronTimer) clearTimeout(this.cronTimer);
    this.signal.notify();
    if (opts.abandon) {
      await this.loopDone.catch(() => undefined);
      this.store.releaseLiveness(); // as when the process dies: the session ends, other instances take the runs over
      return;
    }
    await this.loopDone.catch(() => undefined);
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    while (this.active.size && Date.now() < deadline) {
      await Promise.race([
        Promise.allSettled([...this.active.values()].map((a) => a.done)),
        new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()))),
      ]);
    }
    const left = [...this.active.keys()];
    this.dead = true;
    if (left.length) {
      await this.store
        .release(left)
        .catch((err: unknown) => log.error("embedded executor could not release runs", { err }));
      log.warn("embedded executor stopped with calls still in flight; their runs were released", { runs: left });
    }
    this.store.releaseLiveness();
  }
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

/**
 * Syncs the served functions (failing on any option it cannot honour),
 * registers cron schedules, and starts driving runs.
 */
export async function startEmbeddedExecutor(opts: EmbeddedExecutorOptions): Promise<EmbeddedExecutor> {
  const pool = opts.pool ?? (await import("@/lib/db")).pool();
  const ex = new Executor({ ...opts, pool });
  await ex.start();
  return ex;
}
