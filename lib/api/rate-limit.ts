import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "@/lib/api/errors";
import { pool } from "@/lib/db";
import { env } from "@/lib/env";

/**
 * Per-workspace rate limit on /api/v1, kept in PostgreSQL (table rate_limits,
 * created by the migrations) so it holds across app instances.
 */

let limiter: RateLimiterPostgres | undefined;

function getLimiter(): RateLimiterPostgres {
  limiter ??= new RateLimiterPostgres({
    storeClient: pool(),
    storeType: "pool",
    tableName: "rate_limits",
    tableCreated: true,
    clearExpiredByTimeout: false,
    keyPrefix: "api",
    points: env().API_RATE_LIMIT_PER_MINUTE,
    duration: 60,
  });
  return limiter;
}

export type RateLimitHeaders = Record<"RateLimit-Limit" | "RateLimit-Remaining" | "RateLimit-Reset", string>;

function headers(res: RateLimiterRes): RateLimitHeaders {
  return {
    "RateLimit-Limit": String(env().API_RATE_LIMIT_PER_MINUTE),
    "RateLimit-Remaining": String(Math.max(0, res.remainingPoints)),
    "RateLimit-Reset": String(Math.max(0, Math.ceil(res.msBeforeNext / 1000))),
  };
}

/** Consumes one request of the workspace's budget; throws 429 (with Retry-After) when exhausted. */
export async function consumeRateLimit(workspaceId: string): Promise<RateLimitHeaders> {
  try {
    return headers(await getLimiter().consume(workspaceId, 1));
  } catch (err) {
    if (err instanceof RateLimiterRes) {
      const h = headers(err);
      throw new ApiError(
        429,
        "rate_limited",
        `Rate limit of ${env().API_RATE_LIMIT_PER_MINUTE} requests per minute exceeded`,
        undefined,
        {
          ...h,
          "Retry-After": h["RateLimit-Reset"],
        },
      );
    }
    throw err;
  }
}

/** Tests only: rebuild the limiter after the configuration changed. */
export function resetRateLimiterForTests(): void {
  limiter = undefined;
}
