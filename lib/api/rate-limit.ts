import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "@/lib/errors";
import { postgresLimiter } from "@/lib/db/rate-limits";
import { env } from "@/lib/env";

/**
 * Per-workspace rate limit on /api/v1, kept in PostgreSQL (table rate_limits,
 * created by the migrations) so it holds across app instances. Requests that
 * fail authentication (401) count against a budget of the same size per
 * client IP instead, so they carry RateLimit-* headers too and credential
 * guessing is bounded.
 */

const limiters = new Map<"api" | "api_unauthenticated", RateLimiterPostgres>();

function getLimiter(prefix: "api" | "api_unauthenticated" = "api"): RateLimiterPostgres {
  let limiter = limiters.get(prefix);
  if (!limiter) {
    limiter = postgresLimiter(prefix, env().API_RATE_LIMIT_PER_MINUTE, 60);
    limiters.set(prefix, limiter);
  }
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
export async function consumeRateLimit(
  workspaceId: string,
  prefix: "api" | "api_unauthenticated" = "api",
): Promise<RateLimitHeaders> {
  try {
    return headers(await getLimiter(prefix).consume(workspaceId, 1));
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
  limiters.clear();
}

/** One unauthenticated request (answered 401) from this client IP. */
export function consumeUnauthenticatedRateLimit(ip: string): Promise<RateLimitHeaders> {
  return consumeRateLimit(ip, "api_unauthenticated");
}
