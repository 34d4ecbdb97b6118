import { settings, type Settings } from "@/lib/env";

/**
 * The numbers the documentation quotes. Configurable ones are read from this
 * deployment's settings (lib/env.ts, without resolving secrets), so the docs
 * always show what the running product does; fixed ones mirror the code
 * that enforces them, and lib/docs/facts.test.ts fails if one drifts.
 */

/** Each scheduled delay is moved by up to ±10 % (lib/delivery/schedule.ts). */
export const RETRY_JITTER_PERCENT = 10;
/** Retry-After on 429/503 is honoured up to this long (lib/delivery/schedule.ts MAX_RETRY_AFTER_SECONDS). */
export const RETRY_AFTER_CAP_SECONDS = 24 * 3600;
/** Response bodies are stored up to this many bytes (lib/outbound/http-client.ts). */
export const RESPONSE_BODY_LIMIT_BYTES = 16 * 1024;
/** Connecting (DNS + TCP + TLS) must finish within this, inside the overall timeout (lib/outbound/http-client.ts). */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Longest webhook URL accepted (lib/outbound/ssrf.ts MAX_WEBHOOK_URL_LENGTH). */
export const MAX_URL_LENGTH = 2048;
/** The Standard Webhooks libraries reject timestamps further than this from now, either way. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

export const OPENAPI_PATH = "/api/v1/openapi.json";
export const EVENT_TYPES_PATH = "/api/v1/event-types";

export type DocsSettings = {
  /** Seconds to wait before attempts 2, 3, … (WEBHOOK_RETRY_SCHEDULE). */
  retrySchedule: readonly number[];
  timeoutMs: number;
  probeTimeoutMs: number;
  disableAfterFailures: number;
  disableAfterDays: number;
  retentionDays: number;
  deliveryRatePerSecond: number;
  apiRateLimitPerMinute: number;
};

/** The configurable facts, from this deployment's settings (defaults when unset). */
export function docsSettings(source: Settings = settings()): DocsSettings {
  return {
    retrySchedule: source.WEBHOOK_RETRY_SCHEDULE,
    timeoutMs: source.WEBHOOK_TIMEOUT_MS,
    probeTimeoutMs: source.WEBHOOK_PROBE_TIMEOUT_MS,
    disableAfterFailures: source.WEBHOOK_DISABLE_AFTER_FAILURES,
    disableAfterDays: source.WEBHOOK_DISABLE_AFTER_DAYS,
    retentionDays: source.DELIVERY_RETENTION_DAYS,
    deliveryRatePerSecond: source.WEBHOOK_DELIVERY_RATE_PER_SECOND,
    apiRateLimitPerMinute: source.API_RATE_LIMIT_PER_MINUTE,
  };
}

/** "5 s", "5 min", "2 h 35 min 5 s". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.round(totalSeconds);
  if (s <= 0) return "0 s";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return [h ? `${h} h` : "", m ? `${m} min` : "", sec ? `${sec} s` : ""].filter(Boolean).join(" ");
}

/** "15 s", "1.5 s", "800 ms". */
export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : ms > 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

export type RetryRow = { attempt: number; delaySeconds: number; afterFirstSeconds: number };

/** One row per attempt: attempt 1 at once, then one per delay of the schedule. */
export function retryRows(schedule: readonly number[]): RetryRow[] {
  const rows: RetryRow[] = [{ attempt: 1, delaySeconds: 0, afterFirstSeconds: 0 }];
  let elapsed = 0;
  schedule.forEach((delay, i) => {
    elapsed += delay;
    rows.push({ attempt: i + 2, delaySeconds: delay, afterFirstSeconds: elapsed });
  });
  return rows;
}

/** Hours from the first to the last attempt, one decimal ("27.6"). */
export function retryWindowHours(schedule: readonly number[]): string {
  return (schedule.reduce((a, b) => a + b, 0) / 3600).toFixed(1);
}

export function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
