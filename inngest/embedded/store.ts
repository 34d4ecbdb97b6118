import type pg from "pg";
import type { InngestEvent, MemoEntry, SerializedError } from "@/inngest/embedded/protocol";
import { storableJson } from "@/lib/storable";

/** One function a simple event name triggers (Router.simplePlan). */
export type SimpleRoute = { name: string; fn: string; batchTimeoutMs: number | null };

export type IncomingEvent = { event: InngestEvent; /** id given by the sender (dedupe) */ userId: boolean };

/**
 * Durable run state for the embedded executor: one `ExecutorRun` row per
 * function run (prisma/schema.prisma), accessed with raw SQL on the shared pg
 * pool.
 *
 * Row life cycle (`status`):
 *   queued     waiting until `wakeAt` (new, sleeping, retry back-off, throttled)
 *   running    leased by `lockedBy` until `lockedUntil` (= `wakeAt`, so an
 *              expired lease is found with the same index)
 *   completed | failed | cancelled   finished; `wakeAt` = when it may be pruned
 *   cron       not a run: the durable schedule of one cron trigger, `wakeAt` =
 *              its next fire time
 *
 * `steps` holds the memoized results exactly as the SDK wants them
 * (`{type:"data",data}` / `{type:"error",error}`) plus the executor's own
 * pending entries (`planned`, `sleep`) which are never sent to the SDK.
 *
 * All timestamps are `timestamp(3)` holding UTC (Prisma's convention); SQL
 * here converts explicitly, whatever the session time zone.
 */

export type PendingEntry = { type: "planned"; attempt: number; at: number } | { type: "sleep"; until: number };

export type StoredStep = MemoEntry | PendingEntry;

export type ClaimedRun = {
  id: string;
  functionId: string;
  /** The triggering event; for a batch (`batchEvents`), its first event. */
  event: InngestEvent;
  /** Every event of the run: `[event]`, or a batch's events in arrival order. */
  events: InngestEvent[];
  steps: Record<string, StoredStep>;
  stack: string[];
  attempt: number;
};

export type RunUpdate = {
  id: string;
  /** Step entries to add or replace. */
  set?: Record<string, StoredStep>;
  /** Step entries to delete (pending entries that were fulfilled). */
  remove?: string[];
  /** Hashed step ids to append to the completion stack. */
  push?: string[];
  attempt: number;
  /** `running` keeps the lease; the others release it. */
  status: "running" | "queued" | "completed" | "failed";
  /** queued: when to wake; completed/failed: when the row may be pruned. */
  wakeAtMs?: number;
  output?: unknown;
  error?: SerializedError;
};

export type NewRun = {
  id: string;
  functionId: string;
  event: InngestEvent;
  throttleKey: string | null;
  cancelKeys: string[];
  /** Not before (cron jitter). */
  wakeAtMs?: number;
  throttle?: { limit: number; periodMs: number };
  /** An event waiting for its batch (`batchEvents`): stored with status `batch`, `wakeAtMs` = its deadline. */
  batchItem?: boolean;
};

export type CancelQuery = {
  keys: string[];
  /** Only runs created at or after this time (cancelOn timeout). */
  createdAfterMs?: number;
  /** Runs created by later events of the same batch are not cancelled. */
  excludeIds: string[];
};

export type CancelledRun = { id: string; functionId: string; event: InngestEvent };

export type CronRow = { id: string; functionId: string; cron: string; nextMs: number };

const T = `"ExecutorRun"`;
/** The functionId of route rows (executor.ts ROUTE_FUNCTION_ID). */
const ROUTE_ROWS = "__route__";
const NOW = `(now() AT TIME ZONE 'UTC')`;
const fromMs = (expr: string) => `(to_timestamp((${expr})::float8 / 1000.0) AT TIME ZONE 'UTC')`;
const toMs = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;

/**
 * A run taken back from a dead or stalled executor lost the call it was in:
 * that call consumed an attempt, as a call that timed out does on Inngest.
 * The run's attempt (a discovery call running a new step in-process) and
 * every due planned step's attempt go up by one, so a run whose progress can
 * never be saved (or that crashes its executor) still reaches its retry
 * limit instead of being re-run from the same point without end.
 */
const LOST_CALL_CONSUMES_AN_ATTEMPT = `attempt = attempt + 1,
              steps = COALESCE((SELECT jsonb_object_agg(e.key,
                         CASE WHEN e.value ->> 'type' = 'planned' AND (e.value ->> 'at')::float8 <= ${toMs("now()")}
                              THEN jsonb_set(e.value, '{attempt}', to_jsonb((e.value ->> 'attempt')::int + 1))
                              ELSE e.value END)
                         FROM jsonb_each(steps) e), '{}'::jsonb)`;

export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

/**
 * Coalesces concurrent requests into one flush (group commit): the first
 * request flushes at once, the ones that arrive meanwhile share the next
 * flush. No added latency when idle, few round trips under load.
 */
export class Batcher<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;
  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
    private readonly maxInFlight = 1,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      this.flush(batch.map((b) => b.item))
        .then(
          (out) => batch.forEach((b, i) => b.resolve(out[i] as O)),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.pump();
        });
    }
  }
}

export type InsertedRun = { id: string; wakeMs: number };

export type IntakeBatch = {
  runs: NewRun[];
  cancels: CancelQuery[];
  /** Runs to create for cancelled runs (`inngest/function.cancelled` listeners), same transaction. */
  onCancelled?: (runs: CancelledRun[]) => NewRun[];
};
export type IntakeResult = { inserted: InsertedRun[]; cancelled: CancelledRun[] };

/** The advisory lock key of an instance's liveness lock (see RunStore.holdLiveness). */
const livenessKey = (instanceExpr: string) => `hashtextextended('akol-executor-liveness:' || ${instanceExpr}, 0)`;

/** What routeSimple did: route rows taken, batch items per function, queued runs, route rows still due. */
export type SimpleRouted = { routed: number; items: Record<string, number>; queued: number; left: number };
type RouteSummaryRow = { routed: number; items: Record<string, number>; queued: number; due: number };

/**
 * The CTEs of routeSimple, parameters from `$p`: names, limit, plan. `rt`:
 * the route rows taken (only those whose events all have simple names),
 * `del`: their deletion, `items` → `ins`: their runs.
 */
function routeCtes(p: number): string {
  return `rt AS (
         SELECT id, event, "createdAt" FROM ${T}
          WHERE status = 'queued' AND "wakeAt" <= ${NOW} AND "functionId" = '${ROUTE_ROWS}'
            AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(event -> 'events') x
                             WHERE ((x.value -> 'event' ->> 'name') = ANY($${p}::text[])) IS NOT TRUE)
          ORDER BY "wakeAt", id LIMIT $${p + 1} FOR UPDATE SKIP LOCKED),
       del AS (DELETE FROM ${T} d USING rt WHERE d.id = rt.id RETURNING d.id),
       items AS (
         SELECT p.fn, x.v -> 'event' AS event, p.timeout,
                CASE WHEN (x.v ->> 'userId')::boolean
                     THEN 'run_' || left(encode(sha256(convert_to(p.fn, 'UTF8') || decode('00', 'hex') || convert_to('event', 'UTF8')
                                                       || decode('00', 'hex') || convert_to(x.v -> 'event' ->> 'id', 'UTF8')), 'hex'), 40)
                     ELSE 'run_' || replace(gen_random_uuid()::text, '-', '') END AS id,
                row_number() OVER (ORDER BY rt."createdAt", rt.id, x.ord)::int AS ord
           FROM rt CROSS JOIN LATERAL jsonb_array_elements(rt.event -> 'events') WITH ORDINALITY AS x(v, ord)
           JOIN jsonb_to_recordset($${p + 2}::jsonb) AS p(name text, fn text, timeout float8) ON p.name = x.v -> 'event' ->> 'name'),
       ins AS (
         INSERT INTO ${T} (id, "functionId", event, "cancelKeys", status, "wakeAt", "createdAt", "updatedAt", attempt)
         SELECT id, fn, event, '{}', CASE WHEN timeout IS NULL THEN 'queued' ELSE 'batch' END,
                ${NOW} + make_interval(secs => COALESCE(timeout, 0) / 1000), ${NOW}, ${NOW},
                CASE WHEN timeout IS NULL THEN 0 ELSE ord END
           FROM items ORDER BY ord
         ON CONFLICT (id) DO NOTHING
         RETURNING "functionId", status)`;
}

/**
 * routeCtes' outcome as one jsonb value, parameters from `$p` as routeCtes. `due` is counted in the
 * statement's snapshot (it includes the rows routed), up to limit + 1 rows: enough to tell whether any is left.
 */
const routeSummary = (p: number) => `jsonb_build_object(
         'routed', (SELECT count(*) FROM del),
         'items', (SELECT COALESCE(jsonb_object_agg(fn, n), '{}'::jsonb)
                     FROM (SELECT "functionId" AS fn, count(*)::int AS n FROM ins WHERE status = 'batch' GROUP BY 1) b),
         'queued', (SELECT count(*) FROM ins WHERE status = 'queued'),
         'due', (SELECT count(*) FROM (SELECT 1 FROM ${T} WHERE status = 'queued' AND "wakeAt" <= ${NOW} AND "functionId" = '${ROUTE_ROWS}'
                                        LIMIT ($${p + 1} + 1)) d)) AS routed`;

function routeParams(names: string[], plan: SimpleRoute[], limit: number): unknown[] {
  return [names, limit, JSON.stringify(plan.map((p) => ({ name: p.name, fn: p.fn, timeout: p.batchTimeoutMs })))];
}

function routeResult(r: RouteSummaryRow): SimpleRouted {
  return { routed: r.routed, items: r.items, queued: r.queued, left: Math.max(0, r.due - r.routed) };
}

export class RunStore {
  private readonly persistBatcher: Batcher<RunUpdate, boolean>;
  private dropLiveness: (() => void) | undefined;
  private readonly intakeBatcher: Batcher<IntakeBatch, IntakeResult>;

  constructor(
    private readonly pool: pg.Pool,
    readonly owner: string,
    private readonly leaseMs: number,
    private readonly finishedRetentionMs: number,
  ) {
    this.persistBatcher = new Batcher((items) => this.persistMany(items), 500, 2);
    this.intakeBatcher = new Batcher((items) => this.intakeMany(items), 200, 1);
  }

  /** Leases up to `limit` due runs of the given functions (oldest `wakeAt` first). */
  async claim(functionIds: string[], limit: number): Promise<ClaimedRun[]> {
    if (limit <= 0 || functionIds.length === 0) return [];
    return (await this.claimAndRoute(functionIds, limit)).runs;
  }

  /**
   * claim() and, with `route`, routeSimple() in ONE statement (the claim does
   * not see the runs the routing inserts: they are claimed next time).
   */
  async claimAndRoute(
    functionIds: string[],
    limit: number,
    route?: { names: string[]; plan: SimpleRoute[]; limit: number },
  ): Promise<{ runs: ClaimedRun[]; routed?: SimpleRouted }> {
    const params: unknown[] = [this.owner, this.leaseMs, functionIds, Math.max(0, limit)];
    if (route) params.push(...routeParams(route.names, route.plan, route.limit));
    const res = await this.pool.query<{
      id: string | null;
      functionId: string;
      event: InngestEvent;
      steps: Record<string, StoredStep>;
      stack: string[];
      attempt: number;
      routed: RouteSummaryRow | null;
    }>(
      `WITH ${route ? `${routeCtes(5)},` : ""}
       c AS (SELECT id FROM ${T}
              WHERE status = 'queued' AND "wakeAt" <= ${NOW} AND "functionId" = ANY($3::text[])
              ORDER BY "wakeAt" LIMIT $4 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE ${T} r
            SET status = 'running', "lockedBy" = $1,
                "lockedUntil" = ${NOW} + make_interval(secs => $2::float8 / 1000),
                "wakeAt" = ${NOW} + make_interval(secs => $2::float8 / 1000),
                "startedAt" = COALESCE(r."startedAt", ${NOW}), "updatedAt" = ${NOW}
           FROM c
          WHERE r.id = c.id
      RETURNING r.id, r."functionId", r.event, r.steps, r.stack, r.attempt)
       SELECT id, "functionId", event, steps, stack, attempt, NULL::jsonb AS routed FROM claimed
       ${route ? `UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, ${routeSummary(5)}` : ""}`,
      params,
    );
    let routed: SimpleRouted | undefined;
    const runs: ClaimedRun[] = [];
    for (const r of res.rows) {
      if (r.id === null) {
        if (r.routed) routed = routeResult(r.routed);
        continue;
      }
      // A batch run stores `{batch: [events]}` (formBatch); any other run its one event.
      const batch = (r.event as { batch?: unknown }).batch;
      const events = Array.isArray(batch) ? (batch as InngestEvent[]) : [r.event];
      runs.push({
        id: r.id,
        functionId: r.functionId,
        attempt: r.attempt,
        event: events[0] ?? r.event,
        events,
        steps: r.steps ?? {},
        stack: Array.isArray(r.stack) ? r.stack : [],
      });
    }
    return routed ? { runs, routed } : { runs };
  }

  /** Persists one run's progress (batched with concurrent ones). False = the lease was lost (cancelled or taken over). */
  persist(update: RunUpdate): Promise<boolean> {
    return this.persistBatcher.submit(update);
  }

  private async persistMany(items: RunUpdate[], c: Queryable = this.pool): Promise<boolean[]> {
    const rows = items.map((u) => ({
      id: u.id,
      remove: u.remove ?? [],
      set: u.set ?? {},
      push: u.push ?? [],
      attempt: u.attempt,
      status: u.status,
      wake: u.wakeAtMs ?? null,
      output: u.output === undefined ? null : { v: u.output },
      error: u.error ?? null,
    }));
    // Rows are locked in id order first (here and in every multi-row update)
    // so concurrent batches, heartbeats and cancellations cannot deadlock.
    const res = await c.query<{ id: string }>(
      `WITH u AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS u(id text, remove text[], set jsonb, push jsonb, attempt int,
                                                                   status text, wake float8, output jsonb, error jsonb)),
            l AS (SELECT r.id FROM ${T} r WHERE r.id IN (SELECT id FROM u) AND r."lockedBy" = $1 AND r.status = 'running'
                   ORDER BY r.id FOR UPDATE)
       UPDATE ${T} r
          SET steps = (r.steps - u.remove) || u.set,
              stack = r.stack || u.push,
              attempt = u.attempt,
              status = u.status,
              "wakeAt" = CASE WHEN u.status = 'running' THEN r."wakeAt" ELSE COALESCE(${fromMs("u.wake")}, ${NOW}) END,
              "lockedBy" = CASE WHEN u.status = 'running' THEN r."lockedBy" END,
              "lockedUntil" = CASE WHEN u.status = 'running' THEN r."lockedUntil" END,
              output = COALESCE(u.output -> 'v', r.output),
              error = COALESCE(u.error, r.error),
              "finishedAt" = CASE WHEN u.status IN ('completed', 'failed') THEN ${NOW} END,
              "updatedAt" = ${NOW}
         FROM u JOIN l ON l.id = u.id
        WHERE r.id = u.id AND r."lockedBy" = $1 AND r.status = 'running'
    RETURNING r.id`,
      [this.owner, storableJson(rows)],
    );
    const ok = new Set(res.rows.map((r) => r.id));
    return items.map((u) => ok.has(u.id));
  }

  /**
   * Marks a run failed and inserts the runs its `inngest/function.failed`
   * event triggers (onFailure handlers), in one transaction.
   */
  async fail(update: RunUpdate, failureRuns: NewRun[]): Promise<boolean> {
    return this.transaction(async (c) => {
      const [ok] = await this.persistMany([update], c);
      if (!ok) return false;
      if (failureRuns.length) await this.insertOn(c, failureRuns);
      return true;
    });
  }

  /** Extends the leases of runs this executor still holds; returns the ids still held. */
  async heartbeat(ids: string[]): Promise<Set<string>> {
    if (!ids.length) return new Set();
    const res = await this.pool.query<{ id: string }>(
      `UPDATE ${T} SET "lockedUntil" = ${NOW} + make_interval(secs => $2::float8 / 1000),
                       "wakeAt" = ${NOW} + make_interval(secs => $2::float8 / 1000)
        WHERE id IN (SELECT id FROM ${T} WHERE id = ANY($3::text[]) AND "lockedBy" = $1 AND status = 'running' ORDER BY id FOR UPDATE)
          AND "lockedBy" = $1 AND status = 'running'
    RETURNING id`,
      [this.owner, this.leaseMs, ids],
    );
    return new Set(res.rows.map((r) => r.id));
  }

  /** Gives leased runs back (graceful stop): due at once for any instance. */
  async release(ids: string[]): Promise<void> {
    if (!ids.length) return;
    await this.pool.query(
      `UPDATE ${T} SET status = 'queued', "lockedBy" = NULL, "lockedUntil" = NULL, "wakeAt" = ${NOW}, "updatedAt" = ${NOW}
        WHERE id IN (SELECT id FROM ${T} WHERE id = ANY($2::text[]) AND "lockedBy" = $1 AND status = 'running' ORDER BY id FOR UPDATE)
          AND "lockedBy" = $1 AND status = 'running'`,
      [this.owner, ids],
    );
  }

  /**
   * Takes (or, after a lost connection, retakes) this instance's liveness
   * lock: a session-level advisory lock named after the instance id, held on
   * a connection of its own for as long as the instance runs. PostgreSQL drops
   * it the moment that session ends (the process crashed or was killed), which
   * lets other instances requeue its runs at once (reclaimOrphaned) instead of
   * waiting for the leases to expire. False when another session holds the
   * lock (two instances with one id): its runs are then only reclaimed by lease.
   */
  async holdLiveness(): Promise<boolean> {
    if (this.dropLiveness) return true;
    const c = await this.pool.connect();
    let dropped = false;
    const drop = () => {
      if (dropped) return;
      dropped = true;
      if (this.dropLiveness === drop) this.dropLiveness = undefined;
      c.release(true); // closes the connection: the session, and its lock, end now
    };
    // A broken session has lost the lock already; the next maintenance retakes it.
    c.on("error", drop);
    try {
      const res = await c.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${livenessKey("$1::text")}) AS ok`, [
        this.owner,
      ]);
      if (!res.rows[0]?.ok) {
        drop();
        return false;
      }
    } catch (err) {
      drop();
      throw err;
    }
    this.dropLiveness = drop;
    return true;
  }

  /** Ends the liveness session (stop, or a simulated crash): the lock goes with it. */
  releaseLiveness(): void {
    this.dropLiveness?.();
  }

  /**
   * Requeues runs leased by other instances whose liveness lock is gone (their
   * database session ended: they died), without waiting for the leases to
   * expire. Runs of an instance that never took the lock wait for their lease.
   */
  async reclaimOrphaned(): Promise<number> {
    const res = await this.pool.query(
      `WITH owners AS (SELECT DISTINCT "lockedBy" AS o FROM ${T} WHERE status = 'running' AND "lockedBy" IS NOT NULL AND "lockedBy" <> $1),
            dead AS (SELECT o FROM owners WHERE NOT EXISTS (
                       SELECT 1 FROM pg_locks l
                        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                          AND ((l.classid::bigint << 32) | l.objid::bigint) = ${livenessKey("owners.o")}))
       UPDATE ${T} SET status = 'queued', "lockedBy" = NULL, "lockedUntil" = NULL, "wakeAt" = ${NOW}, "updatedAt" = ${NOW},
              ${LOST_CALL_CONSUMES_AN_ATTEMPT}
        WHERE id IN (SELECT id FROM ${T} WHERE status = 'running' AND "lockedBy" IN (SELECT o FROM dead) ORDER BY id FOR UPDATE SKIP LOCKED)
          AND status = 'running' AND "lockedBy" IN (SELECT o FROM dead)`,
      [this.owner],
    );
    return res.rowCount ?? 0;
  }

  /** Requeues runs whose lease expired (their executor died); they resume from their last persisted op. */
  async reclaimExpired(): Promise<number> {
    const res = await this.pool.query(
      `UPDATE ${T} SET status = 'queued', "lockedBy" = NULL, "lockedUntil" = NULL, "updatedAt" = ${NOW},
              ${LOST_CALL_CONSUMES_AN_ATTEMPT}
        WHERE id IN (SELECT id FROM ${T} WHERE status = 'running' AND "wakeAt" <= ${NOW} ORDER BY id FOR UPDATE SKIP LOCKED)
          AND status = 'running' AND "wakeAt" <= ${NOW}`,
    );
    return res.rowCount ?? 0;
  }

  /**
   * Stores new runs and applies cancellations durably; resolves after commit.
   * Concurrent calls share one transaction.
   */
  intake(batch: IntakeBatch): Promise<IntakeResult> {
    if (!batch.runs.length && !batch.cancels.length) return Promise.resolve({ inserted: [], cancelled: [] });
    return this.intakeBatcher.submit(batch);
  }

  private async intakeMany(batches: IntakeBatch[]): Promise<IntakeResult[]> {
    const runs = batches.flatMap((b) => b.runs);
    const needsTx = batches.some((b) => b.cancels.length > 0) || runs.some((r) => r.throttle);
    const pick = (b: IntakeBatch, inserted: Map<string, InsertedRun>) =>
      b.runs.flatMap((r) => {
        const i = inserted.get(r.id);
        return i ? [i] : [];
      });
    if (!needsTx) {
      const inserted = new Map((await this.insertOn(this.pool, runs)).map((r) => [r.id, r]));
      return batches.map((b) => ({ inserted: pick(b, inserted), cancelled: [] }));
    }
    return this.transaction(async (c) => {
      const inserted = new Map((await this.insertOn(c, runs)).map((r) => [r.id, r]));
      const out: IntakeResult[] = [];
      for (const b of batches) out.push(await this.applyCancels(c, b, pick(b, inserted)));
      return out;
    });
  }

  /** A batch's cancellations and the runs they trigger, after its runs were inserted (same transaction). */
  private async applyCancels(c: Queryable, b: IntakeBatch, inserted: InsertedRun[]): Promise<IntakeResult> {
    const cancelled: CancelledRun[] = [];
    for (const q of b.cancels) cancelled.push(...(await this.cancelOn(c, q)));
    const extra: InsertedRun[] = [];
    if (cancelled.length && b.onCancelled) extra.push(...(await this.insertOn(c, b.onCancelled(cancelled))));
    return { inserted: [...inserted, ...extra], cancelled };
  }

  // -------------------------------------------------------------------------
  // Route rows: events stored by a process without an executor (enqueueUnrouted)

  /**
   * Routes stored events in PostgreSQL itself, in ONE statement for up to
   * `limit` route rows: the rows whose events all have simple names
   * (Router.simplePlan) are taken (SKIP LOCKED: each by one instance),
   * deleted, and their runs inserted — what Router.newRun makes for them:
   * batch items in arrival order (`attempt` = their order) waiting until
   * now + the batch timeout, or runs queued now; the run id derived from the
   * event id exactly as deterministicRunId does when the sender gave one (so
   * a repeated event id is dropped whichever path routed it), else random.
   * Atomic: a crash leaves the route rows or their runs, never neither.
   * `left`: route rows still due (other names, over the limit, or being
   * routed by another instance).
   */
  async routeSimple(names: string[], plan: SimpleRoute[], limit: number): Promise<SimpleRouted> {
    const res = await this.pool.query<{ routed: RouteSummaryRow }>(
      `WITH ${routeCtes(1)} SELECT ${routeSummary(1)}`,
      routeParams(names, plan, limit),
    );
    return routeResult(res.rows[0]!.routed);
  }

  /**
   * Routes up to `limit` stored route rows in JavaScript (names that need it:
   * `if`, idempotency, throttle, cancelOn), in one transaction: the rows are
   * locked (SKIP LOCKED), each row's events routed as one intake (`route`),
   * every run inserted with one statement, cancellations applied, the routed
   * rows deleted with one statement. A row whose routing throws is left, due
   * again in a minute (logged by the caller through `onError`).
   */
  async routeStored(
    limit: number,
    route: (events: IncomingEvent[]) => IntakeBatch,
    onError: (rowId: string, err: unknown) => void,
  ): Promise<{ taken: number; batches: IntakeBatch[]; results: IntakeResult[] }> {
    return this.transaction(async (c) => {
      const rows = await c.query<{ id: string; event: { events?: IncomingEvent[] } }>(
        `SELECT id, event FROM ${T}
          WHERE status = 'queued' AND "wakeAt" <= ${NOW} AND "functionId" = '${ROUTE_ROWS}'
          ORDER BY "wakeAt", id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      const batches: IntakeBatch[] = [];
      const done: string[] = [];
      const failed: string[] = [];
      for (const row of rows.rows) {
        try {
          batches.push(route(row.event.events ?? []));
          done.push(row.id);
        } catch (err) {
          onError(row.id, err);
          failed.push(row.id);
        }
      }
      const inserted = new Map(
        (
          await this.insertOn(
            c,
            batches.flatMap((b) => b.runs),
          )
        ).map((r) => [r.id, r]),
      );
      const results: IntakeResult[] = [];
      for (const b of batches) {
        const mine = b.runs.flatMap((r) => {
          const i = inserted.get(r.id);
          return i ? [i] : [];
        });
        results.push(await this.applyCancels(c, b, mine));
      }
      if (done.length || failed.length)
        await c.query(
          `WITH gone AS (DELETE FROM ${T} WHERE id = ANY($1::text[]))
           UPDATE ${T} SET "wakeAt" = ${NOW} + interval '1 minute', "updatedAt" = ${NOW} WHERE id = ANY($2::text[])`,
          [done, failed],
        );
      return { taken: rows.rows.length, batches, results };
    });
  }

  private async cancelOn(c: Queryable, q: CancelQuery): Promise<CancelledRun[]> {
    if (!q.keys.length) return [];
    const res = await c.query<CancelledRun>(
      `UPDATE ${T} SET status = 'cancelled', "lockedBy" = NULL, "lockedUntil" = NULL, "finishedAt" = ${NOW},
                       "updatedAt" = ${NOW}, "wakeAt" = ${NOW} + make_interval(secs => $4::float8 / 1000)
        WHERE id IN (SELECT id FROM ${T}
                      WHERE "cancelKeys" && $1::text[] AND status IN ('queued', 'running')
                        AND ($2::float8 IS NULL OR "createdAt" >= ${fromMs("$2")})
                        AND NOT (id = ANY($3::text[]))
                      ORDER BY id FOR UPDATE)
          AND status IN ('queued', 'running')
    RETURNING id, "functionId", event`,
      [q.keys, q.createdAfterMs ?? null, q.excludeIds, this.finishedRetentionMs],
    );
    return res.rows;
  }

  /**
   * Inserts runs (duplicates by id are skipped: idempotency keys, event ids,
   * cron slots). Throttled runs get their start slot here, under a per-key
   * advisory lock: the first moment at which at most `limit` runs of the key
   * started within any `period` (they wait, never dropped).
   */
  private async insertOn(c: Queryable, runs: NewRun[]): Promise<InsertedRun[]> {
    if (!runs.length) return [];
    const unique = [...new Map(runs.map((r) => [r.id, r])).values()];
    const started = new Map<string, number>();
    const throttled = unique.filter((r) => r.throttle);
    if (throttled.length) {
      const keyOf = (r: NewRun) => JSON.stringify([r.functionId, r.throttleKey ?? ""]);
      const groups = new Map<string, { fn: string; key: string; lim: number; period: number; runs: NewRun[] }>();
      for (const r of throttled) {
        const k = keyOf(r);
        let g = groups.get(k);
        if (!g) {
          g = {
            fn: r.functionId,
            key: r.throttleKey ?? "",
            lim: r.throttle!.limit,
            period: r.throttle!.periodMs,
            runs: [],
          };
          groups.set(k, g);
        }
        g.runs.push(r);
      }
      await c.query(
        `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 7211) AS h FROM unnest($1::text[]) k ORDER BY 1) s`,
        [[...groups.keys()]],
      );
      const win = await c.query<{ fn: string; key: string; now: number; starts: number[] }>(
        `SELECT k.fn, k.key, (extract(epoch from clock_timestamp()) * 1000)::float8 AS now,
                ARRAY(SELECT ${toMs(`r."startedAt"`)} FROM ${T} r
                       WHERE r."functionId" = k.fn AND r."throttleKey" = k.key AND r."startedAt" IS NOT NULL
                       ORDER BY r."startedAt" DESC LIMIT k.lim) AS starts
           FROM jsonb_to_recordset($1::jsonb) AS k(fn text, key text, lim int)`,
        [JSON.stringify([...groups.values()].map((g) => ({ fn: g.fn, key: g.key, lim: g.lim })))],
      );
      for (const w of win.rows) {
        const g = groups.get(JSON.stringify([w.fn, w.key]));
        if (!g) continue;
        const starts = [...w.starts]; // most recent first
        for (const r of g.runs) {
          const oldest = starts.length >= g.lim ? starts[g.lim - 1]! : -Infinity;
          const slot = Math.max(w.now, r.wakeAtMs ?? 0, oldest + g.period);
          starts.unshift(slot);
          if (starts.length > g.lim) starts.length = g.lim;
          started.set(r.id, slot);
        }
      }
    }
    // A batch item's `attempt` holds its arrival order among the items stored together (same createdAt).
    const rows = unique.map((r, ord) => ({
      ord: r.batchItem ? ord : 0,
      id: r.id,
      fn: r.functionId,
      event: r.event,
      tkey: r.throttleKey,
      ckeys: r.cancelKeys,
      wake: started.get(r.id) ?? r.wakeAtMs ?? null,
      started: started.get(r.id) ?? null,
      status: r.batchItem ? "batch" : "queued",
    }));
    const res = await c.query<InsertedRun>(
      `INSERT INTO ${T} (id, "functionId", event, "throttleKey", "cancelKeys", status, "wakeAt", "startedAt", "createdAt", "updatedAt", attempt)
       SELECT x.id, x.fn, x.event, x.tkey, COALESCE(x.ckeys, '{}'), x.status, COALESCE(${fromMs("x.wake")}, ${NOW}),
              ${fromMs("x.started")}, ${NOW}, ${NOW}, x.ord
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, fn text, event jsonb, tkey text, ckeys text[], wake float8, started float8,
                                                 status text, ord int)
       ON CONFLICT (id) DO NOTHING
       RETURNING id, ${toMs(`"wakeAt"`)} AS "wakeMs"`,
      [storableJson(rows)],
    );
    return res.rows;
  }

  // -------------------------------------------------------------------------
  // Cron

  /** Registers cron schedules (kept if already present) and drops stale ones of these functions. */
  async syncCrons(rows: CronRow[], functionIds: string[]): Promise<void> {
    await this.pool.query(
      `WITH ins AS (
         INSERT INTO ${T} (id, "functionId", event, status, "wakeAt", "cancelKeys", "createdAt", "updatedAt")
         SELECT x.id, x.fn, jsonb_build_object('cron', x.cron), 'cron', ${fromMs("x.next")}, '{}', ${NOW}, ${NOW}
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, fn text, cron text, next float8)
         ON CONFLICT (id) DO NOTHING
       )
       DELETE FROM ${T} WHERE status = 'cron' AND "functionId" = ANY($2::text[]) AND NOT (id = ANY($3::text[]))`,
      [
        JSON.stringify(rows.map((r) => ({ id: r.id, fn: r.functionId, cron: r.cron, next: r.nextMs }))),
        functionIds,
        rows.map((r) => r.id),
      ],
    );
  }

  /**
   * Fires due cron schedules exactly once across instances: the schedule row
   * is locked, the run id is derived from the slot, and the next slot is
   * stored in the same transaction. Returns the number of runs created.
   */
  async fireDueCrons(
    functionIds: string[],
    plan: (row: {
      id: string;
      functionId: string;
      cron: string;
      dueMs: number;
    }) => { run: NewRun; nextMs: number } | undefined,
  ): Promise<number> {
    if (!functionIds.length) return 0;
    return this.transaction(async (c) => {
      const due = await c.query<{ id: string; functionId: string; cron: string; dueMs: number }>(
        `SELECT id, "functionId", event ->> 'cron' AS cron, ${toMs(`"wakeAt"`)} AS "dueMs" FROM ${T}
          WHERE status = 'cron' AND "wakeAt" <= ${NOW} AND "functionId" = ANY($1::text[])
          FOR UPDATE SKIP LOCKED`,
        [functionIds],
      );
      if (!due.rows.length) return 0;
      const runs: NewRun[] = [];
      const next: Array<{ id: string; next: number }> = [];
      for (const row of due.rows) {
        const p = plan(row);
        if (!p) continue;
        runs.push(p.run);
        next.push({ id: row.id, next: p.nextMs });
      }
      const inserted = await this.insertOn(c, runs);
      await c.query(
        `UPDATE ${T} r SET "wakeAt" = ${fromMs("x.next")}, "updatedAt" = ${NOW}
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, next float8) WHERE r.id = x.id`,
        [JSON.stringify(next)],
      );
      return inserted.length;
    });
  }

  // -------------------------------------------------------------------------
  // Batches (batchEvents)

  /**
   * Starts one batch of `functionId` if one is ready: its oldest `maxSize`
   * waiting items (arrival order) when there are that many, when the oldest
   * one's deadline (first event + timeout) has passed, or at once when no run
   * of the function is queued or running anywhere (group commit: an idle
   * function does not make an event wait; a busy one collects the events that
   * arrive meanwhile into its next batch). In ONE
   * statement, so atomic: the items become `batched` (kept for event-id
   * dedupe until pruned, like a finished run) and the run holding their
   * events is inserted, or nothing changes; an event is never in two batches
   * nor lost. Items locked by another instance's formation are skipped.
   * Returns how many events the new run took (0: none started) and the
   * deadline of the oldest item still waiting. With `lease`, the new run is
   * inserted already claimed by this instance (leased, `running`) and
   * returned: forming a batch and claiming its run is one statement.
   */
  async formBatch(
    functionId: string,
    maxSize: number,
    keepItemsMs: number,
    lease = false,
  ): Promise<{ taken: number; runId?: string; run?: ClaimedRun; nextDueMs: number | null }> {
    const res = await this.pool.query<{
      taken: number;
      runId: string | null;
      event: InngestEvent | null;
      dueMs: number | null;
      n: number;
    }>(
      `WITH items AS (
         SELECT id, event, "createdAt", attempt AS ord, "wakeAt" FROM ${T}
          WHERE status = 'batch' AND "functionId" = $1
          ORDER BY "createdAt", attempt, id LIMIT $2 FOR UPDATE SKIP LOCKED),
       go AS (SELECT count(*) AS n, min("wakeAt") AS due FROM items),
       taken AS (
         UPDATE ${T} r SET status = 'batched', "wakeAt" = ${NOW} + make_interval(secs => $3::float8 / 1000),
                           "finishedAt" = ${NOW}, "updatedAt" = ${NOW}
           FROM items
          WHERE r.id = items.id
            AND ((SELECT n FROM go) >= $2 OR (SELECT due FROM go) <= ${NOW}
                 OR NOT EXISTS (SELECT 1 FROM ${T} b WHERE b."functionId" = $1 AND b.status IN ('queued', 'running')))
         RETURNING r.id, items.event, items."createdAt", items.ord),
       ins AS (
         INSERT INTO ${T} (id, "functionId", event, status, "wakeAt", "lockedBy", "lockedUntil", "startedAt", "cancelKeys",
                           "createdAt", "updatedAt")
         SELECT 'run_' || md5(string_agg(id, ',' ORDER BY id)), $1,
                jsonb_build_object('batch', jsonb_agg(event ORDER BY "createdAt", ord, id)),
                CASE WHEN $4::text IS NULL THEN 'queued' ELSE 'running' END,
                ${NOW} + make_interval(secs => COALESCE($5::float8, 0) / 1000), $4::text,
                CASE WHEN $4::text IS NULL THEN NULL ELSE ${NOW} + make_interval(secs => $5::float8 / 1000) END,
                CASE WHEN $4::text IS NULL THEN NULL ELSE ${NOW} END, '{}', ${NOW}, ${NOW}
           FROM taken HAVING count(*) > 0
         ON CONFLICT (id) DO NOTHING
         RETURNING id, event)
       SELECT (SELECT count(*) FROM taken)::int AS taken, (SELECT id FROM ins) AS "runId",
              CASE WHEN $4::text IS NULL THEN NULL ELSE (SELECT event FROM ins) END AS event,
              (SELECT ${toMs("due")} FROM go) AS "dueMs", (SELECT n FROM go)::int AS n`,
      [functionId, maxSize, keepItemsMs, lease ? this.owner : null, lease ? this.leaseMs : null],
    );
    const r = res.rows[0];
    if (!r || r.taken === 0) return { taken: 0, nextDueMs: r?.dueMs ?? null };
    // Taken: the next batch's deadline is only known by looking again (the caller does, when it was full).
    const out: { taken: number; runId?: string; run?: ClaimedRun; nextDueMs: null } = {
      taken: r.taken,
      nextDueMs: null,
    };
    if (r.runId) out.runId = r.runId;
    if (r.runId && r.event) {
      const events = (r.event as { batch?: InngestEvent[] }).batch ?? [];
      out.run = { id: r.runId, functionId, event: events[0]!, events, steps: {}, stack: [], attempt: 0 };
    }
    return out;
  }

  // -------------------------------------------------------------------------
  // Housekeeping and inspection

  /** Deletes finished runs past their retention; returns how many. */
  async prune(limit = 5000): Promise<number> {
    const res = await this.pool.query(
      `DELETE FROM ${T} WHERE id IN (
         SELECT id FROM ${T} WHERE status IN ('completed', 'failed', 'cancelled', 'batched') AND "wakeAt" <= ${NOW} LIMIT $1)`,
      [limit],
    );
    return res.rowCount ?? 0;
  }

  /** Due-now and running runs of these functions (idle check for drain()). */
  async pending(functionIds: string[]): Promise<{ due: number; running: number; nextWakeMs: number | null }> {
    const res = await this.pool.query<{ due: number; running: number; next: number | null }>(
      `SELECT count(*) FILTER (WHERE (status = 'queued' AND "wakeAt" <= ${NOW}) OR status = 'batch')::int AS due,
              count(*) FILTER (WHERE status = 'running')::int AS running,
              min(${toMs(`"wakeAt"`)}) FILTER (WHERE status IN ('queued', 'batch')) AS next
         FROM ${T} WHERE status IN ('queued', 'running', 'batch') AND "functionId" = ANY($1::text[])`,
      [functionIds],
    );
    const r = res.rows[0];
    return { due: r?.due ?? 0, running: r?.running ?? 0, nextWakeMs: r?.next ?? null };
  }

  private async transaction<R>(fn: (c: pg.PoolClient) => Promise<R>): Promise<R> {
    const c = await this.pool.connect();
    try {
      await c.query("BEGIN");
      const out = await fn(c);
      await c.query("COMMIT");
      return out;
    } catch (err) {
      await c.query("ROLLBACK").catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }
}

/**
 * The one INSERT that stores events as a route row (functionId "__route__")
 * for any executor to route; its parameters are numbered from `$<offset + 1>`
 * so a publisher can run it as a CTE of its own statement (lib/jobs).
 */
export function unroutedInsert(
  id: string,
  events: Array<{ event: InngestEvent; userId: boolean }>,
  offset = 0,
): { text: string; values: unknown[] } {
  return {
    text: `INSERT INTO ${T} (id, "functionId", event, status, "wakeAt", "cancelKeys", "createdAt", "updatedAt")
     VALUES ($${offset + 1}, '__route__', $${offset + 2}::jsonb, 'queued', ${NOW}, '{}', ${NOW}, ${NOW})`,
    values: [id, storableJson({ events })],
  };
}

/**
 * Stores events as one route row for any executor to route: what
 * embeddedFetch does when no executor runs in its process.
 */
export async function enqueueUnrouted(
  db: Queryable,
  id: string,
  events: Array<{ event: InngestEvent; userId: boolean }>,
): Promise<void> {
  const { text, values } = unroutedInsert(id, events);
  await db.query(text, values);
}
