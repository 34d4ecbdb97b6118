import { env } from "@/lib/env";

/**
 * The one logger: JSON lines on stderr. Values that look like signing secrets
 * or API keys are redacted before they are written, whatever the caller passes.
 */

type Level = "debug" | "info" | "warn" | "error";
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_PATTERNS = [/whsec_[A-Za-z0-9+/=_-]+/g, /akol_sk_[A-Za-z0-9]+/g, /Bearer\s+[A-Za-z0-9._~+/=-]+/gi];

/** Fields whose values are never written, whatever they look like. */
const SECRET_FIELDS =
  /^(secret|password|passwordHash|authorization|cookie|apiKey|key|token|signature|secretEncrypted)$/i;

export function redact(text: string): string {
  return SECRET_PATTERNS.reduce(
    (s, re) => s.replace(re, (m) => `${m.slice(0, m.indexOf("_") + 1 || 7)}[redacted]`),
    text,
  );
}

/** A secret-named field keeps only a recognisable prefix (`whsec_[redacted]`), or nothing. */
function redactField(v: unknown): string {
  return typeof v === "string" && /^(whsec|akol_sk)_[A-Za-z0-9+/=_-]+$/.test(v) ? redact(v) : "[redacted]";
}

function write(level: Level, msg: string, fields?: Record<string, unknown>) {
  let threshold: Level = "info";
  try {
    threshold = env().LOG_LEVEL;
  } catch {
    // configuration not loadable yet: keep the default level
  }
  if (ORDER[level] < ORDER[threshold]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, (k, v: unknown) =>
    SECRET_FIELDS.test(k) && v !== null && v !== undefined
      ? redactField(v)
      : v instanceof Error
        ? { name: v.name, message: v.message, stack: v.stack }
        : v,
  );
  if (level === "warn" || level === "error") {
    const skip = repeated(line);
    if (skip === true) return;
    if (skip > 0) {
      process.stderr.write(redact(line.replace(/}$/, `,"repeated":${skip}}`)) + "\n");
      return;
    }
  }
  process.stderr.write(redact(line) + "\n");
}

/**
 * Identical warnings and errors (same level, message and fields, stack traces
 * aside: e.g. the executor's polls failing with ECONNREFUSED from several
 * queries while the database is down) are
 * written once per REPEAT_INTERVAL_MS; the next one after the interval carries
 * `"repeated": N`, the count of identical lines left out meanwhile.
 */
export const REPEAT_INTERVAL_MS = 60_000;
const recent = new Map<string, { at: number; skipped: number }>();

/** true: leave the line out; a number: write it, with that many left out before it (0: none). */
function repeated(line: string): true | number {
  // everything but the timestamp and stack traces (the same error from another call site is the same news)
  const key = line.slice(line.indexOf(",") + 1).replace(/"stack":"(?:[^"\\]|\\.)*"/g, "");
  const now = Date.now();
  const seen = recent.get(key);
  if (seen && now - seen.at < REPEAT_INTERVAL_MS) {
    seen.skipped++;
    return true;
  }
  const skipped = seen?.skipped ?? 0;
  recent.set(key, { at: now, skipped: 0 });
  if (recent.size > 500) {
    for (const [k, v] of recent) if (now - v.at >= REPEAT_INTERVAL_MS) recent.delete(k);
    if (recent.size > 500) recent.clear();
  }
  return skipped;
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};

/**
 * The logger handed to libraries that log `(...args)` the console way (the
 * Inngest SDK: `logger` and `internalLogger`): every call becomes one JSON
 * line through the logger above, redacted, with errors as `{name, message,
 * stack}` fields rather than raw multi-line output.
 */
export function argsLogger(source: string) {
  const emit =
    (level: Level) =>
    (...args: unknown[]) => {
      const msg = args.find((a): a is string => typeof a === "string") ?? `${source} log`;
      const fields: Record<string, unknown> = { source };
      const rest: unknown[] = [];
      for (const a of args) {
        if (a === msg) continue;
        if (a instanceof Error) fields.err = a;
        else if (a && typeof a === "object" && !Array.isArray(a)) Object.assign(fields, a);
        else rest.push(a);
      }
      if (rest.length) fields.args = rest;
      write(level, msg, fields);
    };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
