import { z } from "zod";
import { type CronSchedule, parseCron } from "@/inngest/embedded/cron";
import { conjuncts, type Expr, ExpressionError, parseExpr, rootsOf } from "@/inngest/embedded/expr";
import { canonicalJson, signRequest } from "@/inngest/embedded/signing";
import { parseRetryAfter } from "@/lib/outbound/retry-after";

/**
 * The Inngest SDK HTTP protocol (inngest/inngest docs/SDK_SPEC.md, as
 * implemented by inngest 4.24's InngestCommHandler), from the executor's side:
 * in-band sync, call requests, and the answers (200 done, 206 ops, 500
 * retriable, 400 + `x-inngest-no-retry: true` final).
 */

/** Sends one request to the app's serve handler: in-process (a route handler) or over HTTP. */
export type Transport = (request: Request) => Promise<Response>;

export class SyncError extends Error {
  override name = "SyncError";
}

/** A function option (or option value) the embedded executor cannot honour. */
export class UnsupportedFunctionOptionError extends Error {
  override name = "UnsupportedFunctionOptionError";
  constructor(readonly problems: string[]) {
    super(
      `The embedded Inngest executor cannot run these functions as configured:\n  - ${problems.join("\n  - ")}\n` +
        `Remove the option, or configure an Inngest server (INNGEST_EVENT_KEY + INNGEST_SIGNING_KEY, or INNGEST_DEV).`,
    );
  }
}

// ---------------------------------------------------------------------------
// Sync

const triggerSchema = z.union([
  z.object({ event: z.string().min(1), expression: z.string().nullish() }).strict(),
  z.object({ cron: z.string().min(1), jitter: z.string().nullish() }).strict(),
]);

const syncedFunctionSchema = z
  .object({
    id: z.string().min(1),
    name: z.string().nullish(),
    triggers: z.array(triggerSchema),
    steps: z.record(
      z.string(),
      z
        .object({
          id: z.string(),
          name: z.string().optional(),
          runtime: z.object({ type: z.string(), url: z.string() }).loose(),
          retries: z
            .object({ attempts: z.number().int().min(0).optional() })
            .loose()
            .nullish(),
        })
        .loose(),
    ),
  })
  .catchall(z.unknown());

export type SyncedFunction = z.infer<typeof syncedFunctionSchema>;

const syncResponseSchema = z.object({ functions: z.array(syncedFunctionSchema) }).loose();

/**
 * In-band sync: `PUT <serveUrl>` with `x-inngest-sync-kind: in_band` and a
 * signed `{url}` body; the handler answers with its function configs.
 */
export async function syncFunctions(
  transport: Transport,
  serveUrl: string,
  signingKey: string,
): Promise<SyncedFunction[]> {
  const body = canonicalJson({ url: serveUrl });
  const res = await transport(
    new Request(serveUrl, {
      method: "PUT",
      headers: {
        "content-type": "application/json",
        "x-inngest-sync-kind": "in_band",
        "x-inngest-signature": signRequest(body, signingKey),
      },
      body,
    }),
  );
  const text = await res.text();
  if (res.status !== 200)
    throw new SyncError(`in-band sync of ${serveUrl} failed: HTTP ${res.status} ${text.slice(0, 500)}`);
  if (res.headers.get("x-inngest-sync-kind") !== "in_band") {
    throw new SyncError(`in-band sync of ${serveUrl} was not answered in band (is INNGEST_ALLOW_IN_BAND_SYNC=0 set?)`);
  }
  const parsed = syncResponseSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new SyncError(`unexpected sync answer from ${serveUrl}: ${parsed.error.message}`);
  return parsed.data.functions;
}

// ---------------------------------------------------------------------------
// Function definitions the executor understands

export type EventTrigger = { event: string; prefix: boolean; filter?: Expr };
export type CronTrigger = { cron: string; schedule: CronSchedule; jitterMs: number };

/** One `cancelOn` rule, split for indexed matching (see cancelKeys in store.ts). */
export type CancelRule = {
  event: string;
  /** Equalities between the run's event (`event.…`) and the cancelling event (`async.…`). */
  pairs: Array<{ run: Expr; incoming: Expr }>;
  /** Conditions on the run's own event, checked when the run is created. */
  runFilters: Expr[];
  /** Conditions on the cancelling event alone. */
  incomingFilters: Expr[];
  timeoutMs?: number;
};

export type FunctionDef = {
  id: string;
  name: string;
  /** Step URL from the sync (`…?fnId=<id>&stepId=step`). */
  url: string;
  /** Attempts per step / function call: retries + 1. */
  maxAttempts: number;
  events: EventTrigger[];
  crons: CronTrigger[];
  throttle?: { key?: Expr; limit: number; periodMs: number };
  idempotency?: Expr;
  cancel: CancelRule[];
  /** `batchEvents`: one run per up to `maxSize` events, started when full or `timeoutMs` after its first event. */
  batch?: { maxSize: number; timeoutMs: number };
};

const DEFAULT_RETRIES = 3; // the SDK's and Inngest's default

const durationUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A Go/Inngest time string (`"1s"`, `"1m30s"`, `"2h45m"`, `"1.5h"`) in ms; `""` is 0. */
export function parseDuration(src: string): number {
  const s = src.trim();
  if (s === "" || s === "0") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * durationUnits[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== s.length) throw new Error(`invalid duration "${src}"`);
  return total;
}

/** When a Sleep op ends: its value is a time string or an ISO 8601 date. */
export function sleepUntil(value: string, nowMs: number): number {
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
  }
  return nowMs + parseDuration(value);
}

const SUPPORTED_KEYS = new Set(["id", "name", "triggers", "steps", "throttle", "cancel", "idempotency", "batchEvents"]);

/**
 * Turns synced configs into definitions, refusing (all at once) every option
 * the embedded executor would otherwise ignore.
 */
export function compileFunctions(configs: SyncedFunction[]): FunctionDef[] {
  const problems: string[] = [];
  const defs: FunctionDef[] = [];
  for (const c of configs) {
    const where = `function "${c.id}"`;
    const before = problems.length;
    for (const [k, v] of Object.entries(c)) {
      if (v === undefined || v === null) continue;
      if (!SUPPORTED_KEYS.has(k)) problems.push(`${where}: option "${k}" is not supported (${JSON.stringify(v)})`);
    }
    const step = c.steps["step"] ?? Object.values(c.steps)[0];
    if (!step || Object.keys(c.steps).length !== 1) {
      problems.push(`${where}: expected exactly one step entry, got ${Object.keys(c.steps).length}`);
      continue;
    }
    if (step.runtime.type !== "http")
      problems.push(`${where}: runtime "${step.runtime.type}" is not supported (only http)`);
    const compile = (src: string, roots: string[], what: string): Expr | undefined => {
      try {
        return parseExpr(src, roots);
      } catch (err) {
        problems.push(
          `${where}: ${what} ${JSON.stringify(src)}: ${err instanceof ExpressionError ? err.message : String(err)}`,
        );
        return undefined;
      }
    };

    const events: EventTrigger[] = [];
    const crons: CronTrigger[] = [];
    for (const t of c.triggers) {
      if ("event" in t) {
        const prefix = t.event.endsWith("*");
        const filter = t.expression ? compile(t.expression, ["event"], "trigger expression") : undefined;
        events.push({ event: prefix ? t.event.slice(0, -1) : t.event, prefix, ...(filter ? { filter } : {}) });
      } else {
        try {
          const jitterMs = t.jitter ? parseDuration(t.jitter) : 0;
          crons.push({ cron: t.cron, schedule: parseCron(t.cron), jitterMs });
        } catch (err) {
          problems.push(`${where}: cron ${JSON.stringify(t.cron)}: ${(err as Error).message}`);
        }
      }
    }

    let throttle: FunctionDef["throttle"];
    if (c.throttle !== undefined && c.throttle !== null) {
      const t = z
        .object({ limit: z.number().int(), period: z.string(), key: z.string().nullish(), burst: z.number().nullish() })
        .strict()
        .safeParse(c.throttle);
      if (!t.success)
        problems.push(`${where}: throttle ${JSON.stringify(c.throttle)} is not supported: ${t.error.message}`);
      else {
        if (t.data.burst !== undefined && t.data.burst !== null && t.data.burst > 1) {
          problems.push(`${where}: throttle.burst ${t.data.burst} is not supported`);
        }
        let periodMs = 0;
        try {
          periodMs = parseDuration(t.data.period);
        } catch (err) {
          problems.push(`${where}: throttle.period: ${(err as Error).message}`);
        }
        if (t.data.limit < 1 || periodMs < 1000) problems.push(`${where}: throttle needs limit >= 1 and period >= 1s`);
        const key = t.data.key ? compile(t.data.key, ["event"], "throttle.key") : undefined;
        throttle = { limit: t.data.limit, periodMs, ...(key ? { key } : {}) };
      }
    }

    let idempotency: Expr | undefined;
    if (typeof c.idempotency === "string") idempotency = compile(c.idempotency, ["event"], "idempotency");
    else if (c.idempotency !== undefined && c.idempotency !== null)
      problems.push(`${where}: idempotency must be a string`);

    const cancel: CancelRule[] = [];
    if (c.cancel !== undefined && c.cancel !== null) {
      const rules = z
        .array(z.object({ event: z.string().min(1), if: z.string().nullish(), timeout: z.string().nullish() }).strict())
        .safeParse(c.cancel);
      if (!rules.success)
        problems.push(`${where}: cancelOn ${JSON.stringify(c.cancel)} is not supported: ${rules.error.message}`);
      else {
        for (const r of rules.data) {
          const rule: CancelRule = { event: r.event, pairs: [], runFilters: [], incomingFilters: [] };
          if (r.timeout) {
            try {
              rule.timeoutMs = parseDuration(r.timeout);
            } catch (err) {
              problems.push(`${where}: cancelOn timeout: ${(err as Error).message}`);
            }
          }
          const e = r.if ? compile(r.if, ["event", "async"], "cancelOn expression") : undefined;
          for (const part of e ? conjuncts(e) : []) {
            const roots = rootsOf(part);
            if (!roots.has("async")) rule.runFilters.push(part);
            else if (!roots.has("event")) rule.incomingFilters.push(part);
            else if (
              part.k === "bin" &&
              part.op === "==" &&
              rootsOf(part.l).size === 1 &&
              rootsOf(part.r).size === 1 &&
              rootsOf(part.l).has("event") !== rootsOf(part.r).has("event")
            ) {
              const [run, incoming] = rootsOf(part.l).has("event") ? [part.l, part.r] : [part.r, part.l];
              rule.pairs.push({ run, incoming });
            } else {
              problems.push(
                `${where}: cancelOn expression ${JSON.stringify(r.if)}: only "event.x == async.y" comparisons joined by && can mix event and async`,
              );
            }
          }
          cancel.push(rule);
        }
      }
    }

    let batch: FunctionDef["batch"];
    if (c.batchEvents !== undefined && c.batchEvents !== null) {
      const b = z
        .object({ maxSize: z.number().int(), timeout: z.string(), key: z.string().nullish(), if: z.string().nullish() })
        .strict()
        .safeParse(c.batchEvents);
      if (!b.success)
        problems.push(`${where}: batchEvents ${JSON.stringify(c.batchEvents)} is not supported: ${b.error.message}`);
      else {
        if (b.data.key) problems.push(`${where}: batchEvents.key is not supported`);
        if (b.data.if) problems.push(`${where}: batchEvents.if is not supported`);
        let timeoutMs = 0;
        try {
          timeoutMs = parseDuration(b.data.timeout);
        } catch (err) {
          problems.push(`${where}: batchEvents.timeout: ${(err as Error).message}`);
        }
        if (b.data.maxSize < 1 || timeoutMs < 1000)
          problems.push(`${where}: batchEvents needs maxSize >= 1 and timeout >= 1s`);
        // Inngest does not combine batching with cancellation or idempotency; throttling a batch is not implemented.
        for (const [k, v] of [
          ["cancelOn", c.cancel],
          ["idempotency", c.idempotency],
          ["throttle", c.throttle],
        ] as const) {
          if (v !== undefined && v !== null) problems.push(`${where}: batchEvents cannot be combined with ${k}`);
        }
        batch = { maxSize: b.data.maxSize, timeoutMs };
      }
    }

    if (problems.length > before) continue;
    defs.push({
      id: c.id,
      name: c.name ?? c.id,
      url: step.runtime.url,
      maxAttempts: (step.retries?.attempts ?? DEFAULT_RETRIES) + 1,
      events,
      crons,
      ...(throttle ? { throttle } : {}),
      ...(idempotency ? { idempotency } : {}),
      cancel,
      ...(batch ? { batch } : {}),
    });
  }
  if (problems.length) throw new UnsupportedFunctionOptionError(problems);
  return defs;
}

// ---------------------------------------------------------------------------
// Calls

export type InngestEvent = {
  name: string;
  data: Record<string, unknown>;
  id: string;
  ts: number;
  [k: string]: unknown;
};

export type SerializedError = { name: string; message: string; stack?: string; [k: string]: unknown };

export type MemoEntry = { type: "data"; data: unknown } | { type: "error"; error: SerializedError };

export type CallBody = {
  event: InngestEvent;
  events: InngestEvent[];
  steps: Record<string, MemoEntry>;
  ctx: {
    run_id: string;
    attempt: number;
    max_attempts: number;
    disable_immediate_execution: boolean;
    use_api: false;
    stack: { stack: string[]; current: number };
    /**
     * Set only for in-process calls: turns on the SDK's async checkpointing
     * (it runs consecutive steps in one call and POSTs each result to
     * `/v1/checkpoint/<run>/async`, which embeddedFetch hands to the executor).
     */
    fn_id?: string;
    qi_id?: string;
  };
};

/** An op from a 206 answer (SDK_SPEC 5.1.1 / OutgoingOp). */
export type Op = {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  opts?: Record<string, unknown> | null;
  data?: unknown;
  error?: unknown;
};

export type CallResult =
  | { kind: "ops"; ops: Op[]; retryAtMs?: number; noRetry?: boolean }
  | { kind: "done"; output: unknown }
  | { kind: "error"; retriable: boolean; retryAtMs?: number; error: SerializedError; status: number };

export function toSerializedError(value: unknown, fallback = "Unknown error"): SerializedError {
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    const message = typeof v.message === "string" ? v.message : typeof v.error === "string" ? v.error : fallback;
    const out: SerializedError = { ...v, name: typeof v.name === "string" && v.name ? v.name : "Error", message };
    return out;
  }
  if (typeof value === "string" && value) return { name: "Error", message: value };
  return { name: "Error", message: fallback };
}

/** The URL of a call: the synced step URL with `stepId` set (`"step"` = discover / run the next step). */
export function stepUrl(fnUrl: string, stepId: string): string {
  const u = new URL(fnUrl);
  u.searchParams.set("stepId", stepId);
  return u.toString();
}

/** Sends one signed call request and classifies the answer. Never throws for HTTP-level failures. */
export async function callFunction(
  transport: Transport,
  url: string,
  body: CallBody,
  signingKey: string,
  runId: string,
): Promise<CallResult> {
  const json = canonicalJson(body);
  let res: Response;
  let text: string;
  const now = Date.now();
  try {
    res = await transport(
      new Request(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-inngest-signature": signRequest(json, signingKey, now),
          "x-run-id": runId,
        },
        body: json,
      }),
    );
    text = await res.text();
  } catch (err) {
    return {
      kind: "error",
      retriable: true,
      status: 0,
      error: toSerializedError(
        err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : err,
        "call failed",
      ),
    };
  }
  const noRetry = res.headers.get("x-inngest-no-retry");
  const answeredAt = Date.now();
  const retryAfterSeconds = parseRetryAfter(res.headers.get("retry-after"), answeredAt);
  const retryAtMs = retryAfterSeconds === undefined ? undefined : answeredAt + retryAfterSeconds * 1000;
  let parsed: unknown = null;
  let parsedOk = true;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsedOk = false;
  }
  if (res.status === 206 && parsedOk && Array.isArray(parsed)) {
    const ops = (parsed as unknown[]).filter(
      (o): o is Op =>
        !!o && typeof o === "object" && typeof (o as Op).id === "string" && typeof (o as Op).op === "string",
    );
    return {
      kind: "ops",
      ops,
      ...(retryAtMs !== undefined ? { retryAtMs } : {}),
      ...(noRetry !== null ? { noRetry: noRetry === "true" } : {}),
    };
  }
  if (res.status === 200 && parsedOk) return { kind: "done", output: parsed };
  const error = toSerializedError(parsedOk ? parsed : text, `HTTP ${res.status}`);
  if (res.status === 401) error.message = `serve handler refused the executor's signature (HTTP 401): ${error.message}`;
  // SDK_SPEC 4.4.3: 400 + no-retry=true is final; 5xx (and anything unexpected) is retriable.
  const retriable = !(
    noRetry === "true" ||
    (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429 && noRetry !== "false")
  );
  return { kind: "error", retriable, status: res.status, error, ...(retryAtMs !== undefined ? { retryAtMs } : {}) };
}
