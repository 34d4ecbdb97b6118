import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { embeddedRegistry, type EventIntake, EventValidationError } from "@/inngest/embedded/client";
import { RunDriver } from "@/inngest/embedded/driver";
import {
  compileFunctions,
  type FunctionDef,
  syncFunctions,
  type Transport,
  UnsupportedFunctionOptionError,
} from "@/inngest/embedded/protocol";
import { FUNCTION_CANCELLED, FUNCTION_FAILED, normalizeEvent, Router } from "@/inngest/embedded/router";
import { CronScheduler } from "@/inngest/embedded/scheduler";
import { Signal } from "@/inngest/embedded/signal";
import { embeddedSigningKey, hashSigningKey } from "@/inngest/embedded/signing";
import {
  type CancelledRun,
  type ClaimedRun,
  type IncomingEvent,
  type InsertedRun,
  type IntakeBatch,
  type NewRun,
  RunStore,
  type SimpleRouted,
} from "@/inngest/embedded/store";
import { log } from "@/lib/log";

/**
 * The embedded executor: runs the app's Inngest functions in-process when no
 * Inngest server is configured, by driving the SDK's own `serve()` handler
 * over the SDK HTTP protocol (protocol.ts), with every run durable in
 * PostgreSQL (store.ts). The function code is unchanged: the same functions
 * run on Inngest Cloud or a self-hosted Inngest.
 *
 * This file is the claim loop and the lifecycle (start, event intake,
 * maintenance, heartbeat, drain, stop); driver.ts drives one claimed run,
 * scheduler.ts fires cron slots.
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
   * batchEvents under load: after a run of a batched function ends (or its
   * batch formed) on this instance, its next batch starts no sooner than this
   * (unless full or due), so a busy function's batches fill while an idle one
   * starts at once. Default 50 ms.
   */
  batchLingerMs?: number;
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

/**
 * What an instance knows of a batched function: items it stored since its
 * last formation (`waiting`), the earliest deadline among them (`dueAt`), the
 * end of the linger after its last run or formation (`quietAfter`), and its
 * runs in flight here (`active`).
 */
type BatchState = { waiting: number; dueAt: number; quietAfter: number; active: number };

/** Route rows: routed at most this often (ms, or the poll interval if shorter) unless a backlog remains. */
const ROUTE_EVERY_MS = 25;
/** Route rows PostgreSQL routes per statement (store.routeSimple), and rows routed per JavaScript transaction. */
const ROUTE_LIMIT = 500;
const ROUTE_JS_LIMIT = 100;
const INTERNAL_TRIGGER_OK = new Set([FUNCTION_FAILED, FUNCTION_CANCELLED]);

export function defaultRetryBackoffMs(attempt: number): number {
  const base = Math.min(10_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

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
  private readonly driver: RunDriver;
  private readonly crons: CronScheduler;
  /** Runs being driven: id → driver promise and claim number (a run can be released and claimed again). */
  private readonly active = new Map<string, { done: Promise<void>; claim: number }>();
  private claims = 0;
  private readonly lost = new Set<string>();
  private claimIds: string[] = [];
  private wakeTimes: number[] = [];
  private maybeMore = false;
  /** Functions with batchEvents, and whether a batch may be ready (items arrived, a deadline passed). */
  private batchDefs: FunctionDef[] = [];
  private batchCheck = false;
  private readonly batchLingerMs: number;
  /** Per batched function, what this instance knows: see formBatches. */
  private readonly batchState = new Map<string, BatchState>();
  /** Event names PostgreSQL routes itself (Router.simplePlan). */
  private simple: ReturnType<Router["simplePlan"]> = { names: [], plan: [] };
  private lastRoute = 0;
  private lastClaim = 0;
  private routeMore = false;
  private stopping = false;
  private dead = false;
  private loopDone: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
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
    this.batchLingerMs = Math.max(0, opts.batchLingerMs ?? 50);
    this.concurrency = Math.max(1, opts.concurrency ?? 64);
    this.leaseMs = Math.max(1000, opts.leaseMs ?? 30_000);
    this.backoff = opts.retryBackoffMs ?? defaultRetryBackoffMs;
    this.completedRetentionMs = opts.completedRetentionMs ?? 24 * 3_600_000;
    this.failedRetentionMs = opts.failedRetentionMs ?? 7 * 24 * 3_600_000;
    this.store = new RunStore(opts.pool, this.instanceId, this.leaseMs, this.failedRetentionMs);
    const wakeSoon = () => {
      this.maybeMore = true;
      this.signal.notify();
    };
    this.driver = new RunDriver({
      store: this.store,
      router: () => this.router,
      transport: this.transport,
      signingKey: this.signingKey,
      checkpointing: this.checkpointing,
      checkpointAuth: this.checkpointAuth,
      backoff: this.backoff,
      completedRetentionMs: this.completedRetentionMs,
      failedRetentionMs: this.failedRetentionMs,
      isDead: () => this.dead,
      isStopping: () => this.stopping,
      isLost: (id) => this.lost.has(id),
      markLost: (id) => void this.lost.add(id),
      noteWake: (ms) => this.noteWake(ms),
      wakeSoon,
    });
    this.crons = new CronScheduler({
      store: this.store,
      functions: () => this.functions,
      router: () => this.router,
      isStopping: () => this.stopping,
      wakeSoon,
    });
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
    this.batchDefs = this.functions.filter((f) => f.batch);
    for (const d of this.batchDefs)
      this.batchState.set(d.id, { waiting: 0, dueAt: Infinity, quietAfter: 0, active: 0 });
    this.batchCheck = this.batchDefs.length > 0;
    this.simple = this.router.simplePlan();
    this.claimIds = this.functions.map((f) => f.id);

    await this.crons.sync();
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
    this.crons.schedule();
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

  private async intake(events: IncomingEvent[], now: number): Promise<void> {
    const batch = this.routeEvents(events, now);
    if (!batch.runs.length && !batch.cancels.length) return;
    const res = await this.store.intake(batch);
    this.noteIntake(batch, res.inserted);
  }

  private routeEvents(events: IncomingEvent[], now: number): IntakeBatch {
    const { runs, cancels } = this.router.route(events, now);
    return { runs, cancels, onCancelled: (c) => this.cancelledRuns(c) };
  }

  /** New runs stored: wake for the due ones, note the others' times, and batch items (a batch may be full now). */
  private noteIntake(batch: IntakeBatch, inserted: InsertedRun[]): void {
    const ids = new Set(inserted.map((r) => r.id));
    let items = false;
    for (const r of batch.runs) {
      if (!r.batchItem || !ids.has(r.id)) continue;
      items = true;
      this.noteItems(r.functionId, 1, r.wakeAtMs ?? Date.now());
    }
    if (items) {
      this.batchCheck = true;
      this.signal.notify();
    }
    this.noteInserted(inserted);
  }

  private noteItems(functionId: string, n: number, dueMs: number): void {
    const st = this.batchState.get(functionId);
    if (!st) return;
    st.waiting += n;
    st.dueAt = Math.min(st.dueAt, dueMs);
  }

  /**
   * Routes the events stored by processes without an executor (route rows,
   * client.ts storeForLater): PostgreSQL routes the simple names itself, one
   * statement for many rows (store.routeSimple); rows that need JavaScript
   * are routed in one transaction (store.routeStored).
   */
  private async afterRoute(r: SimpleRouted): Promise<void> {
    if (r.routed === ROUTE_LIMIT) this.routeMore = true;
    const now = Date.now();
    for (const [fn, n] of Object.entries(r.items)) {
      const st = this.batchState.get(fn);
      const due = now + (this.router.byId.get(fn)?.batch?.timeoutMs ?? 0);
      // The first item known to wait sets the deadline to look at (later ones are due later).
      if (st && st.dueAt === Infinity) this.noteWake(due);
      this.noteItems(fn, n, due);
      this.batchCheck = true;
    }
    if (r.queued > 0) {
      this.maybeMore = true;
      this.signal.notify();
    }
    if (r.left === 0) return;
    const js = await this.store.routeStored(
      ROUTE_JS_LIMIT,
      (events) => this.routeEvents(events, Date.now()),
      (row, err) => log.error("embedded executor could not route stored events; retrying in a minute", { row, err }),
    );
    if (js.taken === ROUTE_JS_LIMIT) this.routeMore = true;
    js.batches.forEach((b, i) => this.noteIntake(b, js.results[i]!.inserted));
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
          if (this.batchDefs.length) this.batchCheck = true;
        }
        let free = this.concurrency - this.active.size;
        if (free > 0 && free < this.concurrency / 4 && this.maybeMore) {
          // A backlog is waiting: let a few more slots free up so one claim takes several runs.
          await this.signal.wait(Date.now() + 3);
          free = this.concurrency - this.active.size;
        }
        // Route stored events at most every ROUTE_EVERY_MS (at once again while a backlog remains); claim when
        // runs are known to be due, else once a poll interval (runs of other instances, crashed ones). Both in
        // one statement when both are due.
        const routeDue = this.routeMore || Date.now() - this.lastRoute >= Math.min(this.pollIntervalMs, ROUTE_EVERY_MS);
        const claimDue = free > 0 && (this.maybeMore || Date.now() - this.lastClaim >= this.pollIntervalMs);
        let claimedAll = false;
        if (routeDue || claimDue) {
          const want = claimDue ? Math.min(free, 100) : 0;
          if (claimDue) {
            this.maybeMore = false;
            this.lastClaim = Date.now();
          }
          if (routeDue) {
            this.routeMore = false;
            this.lastRoute = Date.now();
          }
          const { runs, routed } = await this.store.claimAndRoute(
            this.claimIds,
            want,
            routeDue ? { ...this.simple, limit: ROUTE_LIMIT } : undefined,
          );
          for (const row of runs) this.startDriver(row);
          if (routed) await this.afterRoute(routed);
          claimedAll = claimDue && runs.length === want;
        }
        if (this.batchCheck) await this.formBatches();
        if (claimedAll) {
          this.maybeMore = true;
          if (this.active.size < this.concurrency) continue;
        }
        await this.signal.wait(Math.min(Date.now() + this.pollIntervalMs, this.wakeTimes[0] ?? Infinity));
      } catch (err) {
        if (this.stopping) break;
        log.error("embedded executor loop error", { err });
        await this.signal.wait(Date.now() + this.pollIntervalMs);
      }
    }
  }

  /**
   * Starts every batch that is ready (batchEvents: full, or its first event's
   * timeout passed, or the function idle) and notes when to look next. Any
   * instance may start any batch (items are rows; formation is one atomic
   * statement, which also claims the new run when this instance has room).
   *
   * The statement is skipped when it could only find a batch that is not
   * ready, as far as this instance knows (fewer than `maxSize` items, none
   * due): while a run of the function is in flight here (its end looks again),
   * and within `batchLingerMs` of the end of the last one (the look is noted
   * for then) — so under load a batch collects the events of a run's length
   * plus the linger, while a lone event on an idle function starts at once.
   */
  private async formBatches(): Promise<void> {
    this.batchCheck = false;
    for (const def of this.batchDefs) {
      const { maxSize } = def.batch!;
      const st = this.batchState.get(def.id)!;
      const now = Date.now();
      if (st.waiting < maxSize && now < st.dueAt) {
        if (st.active > 0) continue;
        if (now < st.quietAfter) {
          this.noteWake(Math.min(st.quietAfter, st.dueAt));
          continue;
        }
      }
      for (;;) {
        const lease = this.active.size < this.concurrency && !this.stopping;
        const r = await this.store.formBatch(def.id, maxSize, this.completedRetentionMs, lease);
        if (r.taken > 0) {
          st.waiting = Math.max(0, st.waiting - r.taken);
          if (st.waiting === 0) st.dueAt = Infinity;
          st.quietAfter = Date.now() + this.batchLingerMs;
          if (r.run) this.startDriver(r.run);
          else this.maybeMore = true;
        }
        if (r.taken === maxSize) continue;
        if (r.taken === 0) {
          st.waiting = 0;
          st.dueAt = r.nextDueMs ?? Infinity;
          if (r.nextDueMs !== null) {
            // Items wait while a batch runs (anywhere): look again by their deadline, and within about a poll
            // interval (jittered) in case that run ends first — on any instance.
            const soon = Date.now() + this.pollIntervalMs * (0.5 + Math.random() / 2);
            this.noteWake(Math.max(Math.min(r.nextDueMs, soon), Date.now() + 5));
          }
        }
        break;
      }
    }
  }

  private async maintenance(now: number): Promise<void> {
    this.lastMaintenance = now;
    if (this.batchDefs.length) this.batchCheck = true; // items stored by instances that died
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
    await this.crons.fire();
    if (now - this.lastPrune >= 60_000) {
      this.lastPrune = now;
      await this.store.prune();
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
    const batched = this.batchState.get(row.functionId);
    if (batched) batched.active++;
    const done = this.driver
      .drive(row)
      .catch((err: unknown) => log.error("embedded executor run failed unexpectedly", { run: row.id, err }))
      .finally(() => {
        // A batched function's run ended: its next batch may start (store.formBatch, group commit) after the
        // linger (formBatches), looked at with a random delay of up to half the linger added, so that this
        // instance does not form (and then run) every next batch before the other instances' checks come round:
        // they share the batches.
        if (batched) {
          batched.active--;
          batched.quietAfter = Date.now() + this.batchLingerMs;
          this.noteWake(batched.quietAfter + (Math.random() * Math.min(this.pollIntervalMs, this.batchLingerMs)) / 2);
        }
        if (this.active.get(row.id)?.claim === claim) {
          this.active.delete(row.id);
          this.lost.delete(row.id);
        }
        if (this.maybeMore || this.batchCheck) this.signal.notify();
      });
    this.active.set(row.id, { done, claim });
  }

  // -------------------------------------------------------------------------
  // Lifecycle

  async drain(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (this.active.size === 0) {
        const p = await this.store.pending([...this.claimIds, ROUTE_FUNCTION_ID]);
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
    this.crons.stop();
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
