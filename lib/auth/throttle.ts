import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "@/lib/errors";
import { postgresLimiter } from "@/lib/db/rate-limits";
import { env } from "@/lib/env";

/**
 * Sign-in and sign-up throttles, kept in PostgreSQL (table rate_limits, like
 * the API's limit) so they hold across app instances. Fixed windows of
 * AUTH_THROTTLE_WINDOW_SECONDS:
 * - sign-in, per account: each attempt counts before the password is checked
 *   (so parallel guesses are bounded too); a successful sign-in resets the
 *   account's count. After AUTH_SIGN_IN_MAX_FAILURES failures the account's
 *   sign-in answers 429 until the window ends, then the right password works
 *   again: never locked out for longer than one window.
 * - sign-in, per client IP: AUTH_SIGN_IN_MAX_FAILURES_PER_IP failures over any
 *   accounts (a successful sign-in gives its attempt back).
 * - sign-up, per client IP: AUTH_SIGN_UP_PER_IP accounts created (attempts
 *   that pass validation) per window.
 */

type Kind = "signin_account" | "signin_ip" | "signup_ip";
const limiters = new Map<Kind, RateLimiterPostgres>();

function points(kind: Kind): number {
  const e = env();
  return kind === "signin_account"
    ? e.AUTH_SIGN_IN_MAX_FAILURES
    : kind === "signin_ip"
      ? e.AUTH_SIGN_IN_MAX_FAILURES_PER_IP
      : e.AUTH_SIGN_UP_PER_IP;
}

function limiter(kind: Kind): RateLimiterPostgres {
  let l = limiters.get(kind);
  if (!l) {
    l = postgresLimiter(kind, points(kind), env().AUTH_THROTTLE_WINDOW_SECONDS);
    limiters.set(kind, l);
  }
  return l;
}

/** 429 with Retry-After (seconds); `details.retryAfter` repeats it for clients that cannot read headers. */
export function throttled(what: string, msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(
    429,
    "rate_limited",
    `Too many ${what}: try again in ${seconds} second${seconds === 1 ? "" : "s"}`,
    { retryAfter: seconds },
    { "Retry-After": String(seconds) },
  );
}

async function take(kind: Kind, key: string): Promise<RateLimiterRes | null> {
  try {
    await limiter(kind).consume(key, 1);
    return null;
  } catch (err) {
    if (err instanceof RateLimiterRes) return err;
    throw err;
  }
}

/**
 * Counts one sign-in attempt for the account and the IP; throws 429 when
 * either budget is spent. Call `signInSucceeded` after a correct password.
 */
export async function beginSignIn(email: string, ip: string): Promise<void> {
  const account = email.trim().toLowerCase();
  const [byAccount, byIp] = await Promise.all([take("signin_account", account), take("signin_ip", ip)]);
  const refused = [byAccount, byIp].filter((r): r is RateLimiterRes => r !== null);
  if (refused.length > 0) {
    throw throttled("failed sign-in attempts", Math.max(...refused.map((r) => r.msBeforeNext)));
  }
}

export async function signInSucceeded(email: string, ip: string): Promise<void> {
  await Promise.all([limiter("signin_account").delete(email.trim().toLowerCase()), limiter("signin_ip").reward(ip, 1)]);
}

/** Counts one sign-up for the IP; throws 429 when the window's budget is spent. */
export async function beginSignUp(ip: string): Promise<void> {
  const refused = await take("signup_ip", ip);
  if (refused) throw throttled("sign-ups from this network", refused.msBeforeNext);
}

/** Tests only: rebuild the limiters after the configuration changed. */
export function resetAuthThrottleForTests(): void {
  limiters.clear();
}
