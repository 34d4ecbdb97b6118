import { ApiError } from "@/lib/errors";
import { pool } from "@/lib/db";
import { env } from "@/lib/env";

/**
 * Per-workspace rate limit on /api/v1, kept in PostgreSQL (table rate_limits,
 * created by the migrations) so it holds across app instances: a fixed window
 * of 60 s per key, counted by one upsert (the row and statement of
 * rate-limiter-flexible's RateLimiterPostgres, key `api:<workspace id>`, so
 * both stay interchangeable). An API-key request counts in the same statement
 * as its key lookup (lib/api/guard.ts: one round trip); a session request
 * counts on its own. Requests that fail authentication (401) count against a
 * budget of the same size per client IP (`api_unauthenticated:<ip>`), so they
 * carry RateLimit-* headers too and credential guessing is bounded. Nothing is
 * cached in the process: every request is counted in the database.
 */

const WINDOW_MS = 60_000;

export type RatePrefix = "api" | "api_unauthenticated";

/** The row key of a budget (rate-limiter-flexible's `keyPrefix:key`). */
export const rateLimitKey = (prefix: RatePrefix, key: string): string => `${prefix}:${key}`;

/**
 * The upsert that counts one request: `$key` is the row key (an SQL expression), `$expire` / `$now` the
 * parameter numbers of the new window's end and the current time (epoch ms). Returns `points, expire`.
 */
export function countRequestSql(keyExpr: string, from: string, expire: number, now: number): string {
  return `INSERT INTO rate_limits (key, points, expire) SELECT ${keyExpr}, 1, $${expire}::bigint ${from}
    ON CONFLICT (key) DO UPDATE SET
      points = CASE WHEN rate_limits.expire <= $${now}::bigint THEN 1 ELSE rate_limits.points + 1 END,
      expire = CASE WHEN rate_limits.expire <= $${now}::bigint THEN $${expire}::bigint ELSE rate_limits.expire END
    RETURNING points, expire`;
}

/** The parameter values of countRequestSql's `$expire` and `$now`, in that order. */
export function windowParams(nowMs = Date.now()): [number, number] {
  return [nowMs + WINDOW_MS, nowMs];
}

export type RateLimitHeaders = Record<"RateLimit-Limit" | "RateLimit-Remaining" | "RateLimit-Reset", string>;

/**
 * The answer to a counted request (`points` counted in the window ending at `expire`): its RateLimit-*
 * headers, or a 429 (with Retry-After) thrown when the budget is exhausted.
 */
export function rateLimitOutcome(points: number, expire: number | string | null): RateLimitHeaders {
  const limit = env().API_RATE_LIMIT_PER_MINUTE;
  const msBeforeNext = expire === null ? 0 : Math.max(0, Number(expire) - Date.now());
  const headers: RateLimitHeaders = {
    "RateLimit-Limit": String(limit),
    "RateLimit-Remaining": String(Math.max(0, limit - points)),
    "RateLimit-Reset": String(Math.ceil(msBeforeNext / 1000)),
  };
  if (points > limit)
    throw new ApiError(429, "rate_limited", `Rate limit of ${limit} requests per minute exceeded`, undefined, {
      ...headers,
      "Retry-After": headers["RateLimit-Reset"],
    });
  return headers;
}

/** Consumes one request of the budget of `key` (a workspace id, or a client IP); throws 429 when exhausted. */
export async function consumeRateLimit(key: string, prefix: RatePrefix = "api"): Promise<RateLimitHeaders> {
  const { rows } = await pool().query<{ points: number; expire: string | null }>({
    name: "akol-rate-limit-count",
    text: countRequestSql("$1", "", 2, 3),
    values: [rateLimitKey(prefix, key), ...windowParams()],
  });
  const row = rows[0]!;
  return rateLimitOutcome(row.points, row.expire);
}

/** One unauthenticated request (answered 401) from this client IP. */
export function consumeUnauthenticatedRateLimit(ip: string): Promise<RateLimitHeaders> {
  return consumeRateLimit(ip, "api_unauthenticated");
}
