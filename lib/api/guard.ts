import { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { ApiError, unauthorized } from "@/lib/errors";
import { verifyApiKeyWith } from "@/lib/auth/api-keys";
import {
  consumeRateLimit,
  countRequestSql,
  rateLimitOutcome,
  windowParams,
  type RateLimitHeaders,
} from "@/lib/api/rate-limit";
import { pool } from "@/lib/db";
import { isTokenCurrent } from "@/lib/auth/sessions";
import { appOrigin, env } from "@/lib/env";

/**
 * The one auth guard of /api/v1: an API key (`Authorization: Bearer akol_sk_…`)
 * or the dashboard's session cookie. Resolves the caller's workspace; anything
 * else is 401. A session token must carry the user's current session version
 * (signed out → 401). Session-authenticated mutations must come from the app's
 * own origin, APP_URL's scheme + host + port (CSRF protection); no
 * X-Forwarded-* header is consulted.
 */

export type Principal =
  { workspaceId: string; via: "api_key"; apiKeyId: string } | { workspaceId: string; via: "session"; userId: string };

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether a session-authenticated request may proceed: safe methods always, changes only from our origin. */
function isSameOriginOrSafe(req: Request): boolean {
  if (SAFE_METHODS.has(req.method)) return true;
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  return origin ? originOf(origin) === appOrigin() : site === null || site === "same-origin" || site === "none";
}

const crossOrigin = () =>
  new ApiError(
    403,
    "forbidden",
    "Cross-origin request refused: session-authenticated changes must come from the dashboard",
  );

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * The caller, with this request counted against its workspace's rate limit (`rate`: the RateLimit-*
 * headers; a 429 is thrown when the budget is exhausted). An API key is looked up and counted in one
 * statement, and so is a session's membership (one round trip each). Nothing is counted for a request
 * refused with 401 or 403 here (a 401's budget is the client IP's: lib/api/route.ts).
 */
export async function authenticateRequest(req: Request): Promise<{ principal: Principal; rate: RateLimitHeaders }> {
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const presented = match?.[1];
    if (!presented) throw unauthorized("Invalid API key");
    const [expire, now] = windowParams();
    const found = await verifyApiKeyWith<{ points: number; expire: string | number | null }>(
      presented,
      "akol-api-key-count",
      (from) => countRequestSql(`'api:' || key."workspaceId"`, from, 2, 3),
      [expire, now],
    );
    if (!found) throw unauthorized("Invalid API key");
    const principal: Principal = { workspaceId: found.key.workspaceId, via: "api_key", apiKeyId: found.key.id };
    const { points, expire: windowEnd } = found.extra;
    // The count ran in the lookup's statement; it returns no row only if the key vanished meanwhile.
    const rate =
      typeof points === "number"
        ? rateLimitOutcome(points, windowEnd ?? null)
        : await consumeRateLimit(principal.workspaceId);
    return { principal, rate };
  }
  // Only the cookie is passed on: next-auth would otherwise also read a Bearer header as a session.
  const cookieOnly = new NextRequest(req.url, { headers: { cookie: req.headers.get("cookie") ?? "" } });
  const secureCookie = cookieOnly.cookies.getAll().some((c) => c.name.startsWith("__Secure-next-auth.session-token"));
  const token = await getToken({ req: cookieOnly, secret: env().AUTH_SECRET, secureCookie }).catch(() => null);
  if (!token?.sub || !token.workspaceId) throw unauthorized();
  // The membership, the user's session version and (for a current session from an allowed origin) the
  // request's count against the workspace's rate limit, in one statement.
  const sv = token.sv === undefined ? 0 : Number.isInteger(token.sv) ? token.sv : null;
  const allowed = isSameOriginOrSafe(req);
  const [expire, now] = windowParams();
  const { rows } = await pool().query<{
    workspaceId: string;
    sessionVersion: number;
    points: number | null;
    expire: string | null;
  }>({
    name: "akol-session-count",
    text: `WITH found AS (
         SELECT m."workspaceId", u."sessionVersion" FROM "Membership" m JOIN "User" u ON u.id = m."userId"
          WHERE m."userId" = $1 AND m."workspaceId" = $2),
       extra AS (${countRequestSql(`'api:' || found."workspaceId"`, `FROM found WHERE found."sessionVersion" = $3::int AND $4::boolean`, 5, 6)})
     SELECT found."workspaceId", found."sessionVersion", extra.points, extra.expire FROM found LEFT JOIN extra ON true`,
    values: [token.sub, token.workspaceId, sv, allowed, expire, now],
  });
  const membership = rows[0];
  if (!membership || !isTokenCurrent(token.sv, membership.sessionVersion))
    throw unauthorized("Session is no longer valid: sign in again");
  if (!allowed) throw crossOrigin();
  const principal: Principal = { workspaceId: membership.workspaceId, via: "session", userId: token.sub };
  const rate =
    membership.points !== null
      ? rateLimitOutcome(membership.points, membership.expire)
      : await consumeRateLimit(principal.workspaceId);
  return { principal, rate };
}
