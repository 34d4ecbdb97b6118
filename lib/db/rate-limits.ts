import { RateLimiterPostgres } from "rate-limiter-flexible";
import { pool } from "@/lib/db";

/**
 * A fixed-window limiter kept in PostgreSQL (table rate_limits, created by the
 * migrations, one row per key), so it holds across app instances. Used by the
 * API's rate limit (lib/api/rate-limit.ts) and the sign-in/sign-up throttles
 * (lib/auth/throttle.ts); `keyPrefix` keeps their counters apart.
 */
export function postgresLimiter(keyPrefix: string, points: number, durationSeconds: number): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: pool(),
    storeType: "pool",
    tableName: "rate_limits",
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix,
    points,
    duration: durationSeconds,
  });
}
