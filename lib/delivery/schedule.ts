import { env } from "@/lib/env";

/**
 * The retry schedule: first attempt at once, then WEBHOOK_RETRY_SCHEDULE
 * (seconds between attempts; default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
 * 10 h) with ±10 % jitter. A Retry-After on 429/503 can only delay a retry,
 * never hasten it: the wait is max(scheduled delay, Retry-After), with
 * Retry-After capped at MAX_RETRY_AFTER_SECONDS. However the receiver
 * answers, a delivery gets at most maxAttempts() automatic attempts.
 */

export const MAX_RETRY_AFTER_SECONDS = 24 * 3600;

export function maxAttempts(): number {
  return env().WEBHOOK_RETRY_SCHEDULE.length + 1;
}

/** Seconds to wait before attempt `attempt + 1`, or null when `attempt` was the last one. */
export function retryDelaySeconds(attempt: number, retryAfterSeconds?: number, random = Math.random): number | null {
  const schedule = env().WEBHOOK_RETRY_SCHEDULE;
  const base = schedule[attempt - 1];
  if (base === undefined) return null;
  const jitter = base * 0.1 * (random() * 2 - 1);
  const scheduled = Math.max(0, Math.round((base + jitter) * 1000) / 1000);
  if (retryAfterSeconds === undefined || !(retryAfterSeconds >= 0)) return scheduled;
  return Math.max(scheduled, Math.min(Math.ceil(retryAfterSeconds), MAX_RETRY_AFTER_SECONDS));
}
