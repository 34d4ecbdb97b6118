import { createHash } from "node:crypto";
import { evaluate, keyOf, matches } from "@/inngest/embedded/expr";
import type { FunctionDef, InngestEvent } from "@/inngest/embedded/protocol";
import type { CancelQuery, IncomingEvent, NewRun, SimpleRoute } from "@/inngest/embedded/store";
import { newId } from "@/lib/ids";

/**
 * Turns events into runs (triggers, trigger expressions, idempotency, event
 * ids, throttle keys, cancel keys) and into cancellations (`cancelOn`).
 */

export const FUNCTION_FAILED = "inngest/function.failed";
export const FUNCTION_CANCELLED = "inngest/function.cancelled";
export const SCHEDULED_TIMER = "inngest/scheduled.timer";

function digest(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 40);
}

/** A run id derived from what must happen only once (idempotency key, event id, cron slot…). */
export function deterministicRunId(...parts: string[]): string {
  return `run_${digest(...parts)}`;
}

/**
 * Cancel keys: a run stores one key per `cancelOn` rule it can be cancelled
 * by (the rule's `event.…` values); a cancelling event computes the same key
 * from its `async.…` values, and a GIN-indexed `cancelKeys && $keys` finds
 * the runs.
 */
function cancelKey(fnId: string, rule: number, values: unknown[]): string {
  return `${fnId}|${rule}|${JSON.stringify(values)}`;
}

/** Validates and completes an event as sent by the SDK (`{name, data, id?, ts?, …}`). */
export function normalizeEvent(raw: unknown, nowMs: number): IncomingEvent {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new Error("event must be an object");
  const e = raw as Record<string, unknown>;
  if (typeof e.name !== "string" || !e.name) throw new Error("event.name must be a non-empty string");
  if (e.data !== undefined && e.data !== null && (typeof e.data !== "object" || Array.isArray(e.data))) {
    throw new Error("event.data must be an object");
  }
  const userId = typeof e.id === "string" && e.id.length > 0;
  const event: InngestEvent = {
    ...e,
    name: e.name,
    data: (e.data as Record<string, unknown> | undefined) ?? {},
    id: userId ? (e.id as string) : newId("evt"),
    ts: typeof e.ts === "number" && Number.isFinite(e.ts) ? e.ts : nowMs,
  };
  return { event, userId };
}

export class Router {
  private readonly byEvent = new Map<string, FunctionDef[]>();
  private readonly prefixed: FunctionDef[] = [];
  private readonly cancelByEvent = new Map<string, Array<{ def: FunctionDef; index: number }>>();
  readonly byId: ReadonlyMap<string, FunctionDef>;

  constructor(readonly defs: FunctionDef[]) {
    this.byId = new Map(defs.map((d) => [d.id, d]));
    for (const d of defs) {
      for (const t of d.events) {
        if (t.prefix) {
          if (!this.prefixed.includes(d)) this.prefixed.push(d);
        } else {
          const list = this.byEvent.get(t.event) ?? [];
          if (!list.includes(d)) list.push(d);
          this.byEvent.set(t.event, list);
        }
      }
      d.cancel.forEach((rule, index) => {
        const list = this.cancelByEvent.get(rule.event) ?? [];
        list.push({ def: d, index });
        this.cancelByEvent.set(rule.event, list);
      });
    }
  }

  /** True when some function is triggered by events named `name`. */
  listensTo(name: string): boolean {
    return (
      this.byEvent.has(name) || this.prefixed.some((d) => d.events.some((t) => t.prefix && name.startsWith(t.event)))
    );
  }

  /**
   * The event names whose routing needs no JavaScript, so that PostgreSQL can
   * route stored events of those names itself (store.routeSimple): no
   * `cancelOn` rule listens to the name, and every function it triggers does
   * so by its exact name without `if`, and has no `idempotency`, `throttle`
   * or `cancelOn` (its runs carry no computed key). Such an event's runs are
   * exactly what newRun makes: the run id from the event id when the sender
   * gave one (else a random one), queued now, or a batch item waiting for its
   * batch (`timeoutMs`). Names matched by a `*` trigger are never simple.
   */
  simplePlan(): { names: string[]; plan: SimpleRoute[] } {
    const names: string[] = [];
    const plan: SimpleRoute[] = [];
    for (const [name, defs] of this.byEvent) {
      if (
        this.cancelByEvent.has(name) ||
        this.prefixed.some((d) => d.events.some((t) => t.prefix && name.startsWith(t.event)))
      )
        continue;
      const simple = defs.every(
        (d) =>
          !d.idempotency &&
          !d.throttle &&
          d.cancel.length === 0 &&
          d.events.every((t) => t.event !== name || (!t.prefix && !t.filter)),
      );
      if (!simple) continue;
      names.push(name);
      for (const d of defs) plan.push({ name, fn: d.id, batchTimeoutMs: d.batch ? d.batch.timeoutMs : null });
    }
    return { names, plan };
  }

  /** Functions whose triggers (name + `if`) match `event`. */
  matching(event: InngestEvent): FunctionDef[] {
    const out: FunctionDef[] = [];
    const candidates = [...(this.byEvent.get(event.name) ?? []), ...this.prefixed];
    for (const d of candidates) {
      if (out.includes(d)) continue;
      const hit = d.events.some(
        (t) =>
          (t.prefix ? event.name.startsWith(t.event) : t.event === event.name) &&
          (!t.filter || matches(t.filter, { event })),
      );
      if (hit) out.push(d);
    }
    return out;
  }

  /** The run `def` gets for `event`. `seed` makes its id deterministic (exactly-once insertion). */
  newRun(def: FunctionDef, incoming: IncomingEvent, seed?: string[], wakeAtMs?: number): NewRun {
    const { event } = incoming;
    let id: string;
    const idem = def.idempotency ? keyOf(def.idempotency, { event }) : undefined;
    if (idem !== undefined) id = deterministicRunId(def.id, "idempotency", idem);
    else if (seed) id = deterministicRunId(def.id, ...seed);
    else if (incoming.userId) id = deterministicRunId(def.id, "event", event.id);
    else id = newId("run");
    const cancelKeys: string[] = [];
    def.cancel.forEach((rule, i) => {
      if (!rule.runFilters.every((f) => matches(f, { event }))) return;
      const values = rule.pairs.map((p) => evaluate(p.run, { event }));
      if (values.some((v) => v === undefined)) return;
      cancelKeys.push(cancelKey(def.id, i, values));
    });
    const run: NewRun = {
      id,
      functionId: def.id,
      event,
      throttleKey: def.throttle ? (def.throttle.key ? (keyOf(def.throttle.key, { event }) ?? "") : "") : null,
      cancelKeys,
      ...(wakeAtMs !== undefined ? { wakeAtMs } : {}),
      ...(def.throttle ? { throttle: { limit: def.throttle.limit, periodMs: def.throttle.periodMs } } : {}),
    };
    // batchEvents: the event waits as a batch item (same id rules, so event-id dedupe holds) until its batch
    // starts; `wakeAt` is the item's deadline (store.formBatch).
    if (def.batch) {
      run.batchItem = true;
      run.wakeAtMs = Math.max(wakeAtMs ?? 0, Date.now()) + def.batch.timeoutMs;
    }
    return run;
  }

  /** Runs and cancellations for a batch of events, in order. */
  route(events: IncomingEvent[], nowMs: number): { runs: NewRun[]; cancels: CancelQuery[] } {
    const perEvent: NewRun[][] = events.map((e) => this.matching(e.event).map((d) => this.newRun(d, e)));
    const cancels: CancelQuery[] = [];
    events.forEach((incoming, i) => {
      const rules = this.cancelByEvent.get(incoming.event.name);
      if (!rules) return;
      const byCutoff = new Map<number | undefined, string[]>();
      for (const { def, index } of rules) {
        const rule = def.cancel[index]!;
        if (!rule.incomingFilters.every((f) => matches(f, { async: incoming.event }))) continue;
        const values = rule.pairs.map((p) => evaluate(p.incoming, { async: incoming.event }));
        if (values.some((v) => v === undefined)) continue;
        const cutoff = rule.timeoutMs !== undefined ? nowMs - rule.timeoutMs : undefined;
        const keys = byCutoff.get(cutoff) ?? [];
        keys.push(cancelKey(def.id, index, values));
        byCutoff.set(cutoff, keys);
      }
      const excludeIds = perEvent
        .slice(i)
        .flat()
        .map((r) => r.id);
      for (const [cutoff, keys] of byCutoff) {
        cancels.push({ keys, excludeIds, ...(cutoff !== undefined ? { createdAfterMs: cutoff } : {}) });
      }
    });
    return { runs: perEvent.flat(), cancels };
  }
}
