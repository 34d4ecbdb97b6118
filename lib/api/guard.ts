import { NextRequest } from "next/server";
import { getToken } from "next-auth/jwt";
import { ApiError, unauthorized } from "@/lib/errors";
import { verifyApiKey } from "@/lib/auth/api-keys";
import { db } from "@/lib/db";
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

function assertSameOrigin(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  const origin = req.headers.get("origin");
  const site = req.headers.get("sec-fetch-site");
  const sameOrigin = origin
    ? originOf(origin) === appOrigin()
    : site === null || site === "same-origin" || site === "none";
  if (!sameOrigin)
    throw new ApiError(
      403,
      "forbidden",
      "Cross-origin request refused: session-authenticated changes must come from the dashboard",
    );
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

export async function authenticateRequest(req: Request): Promise<Principal> {
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const key = match?.[1] ? await verifyApiKey(match[1]) : null;
    if (!key) throw unauthorized("Invalid API key");
    return { workspaceId: key.workspaceId, via: "api_key", apiKeyId: key.id };
  }
  // Only the cookie is passed on: next-auth would otherwise also read a Bearer header as a session.
  const cookieOnly = new NextRequest(req.url, { headers: { cookie: req.headers.get("cookie") ?? "" } });
  const secureCookie = cookieOnly.cookies.getAll().some((c) => c.name.startsWith("__Secure-next-auth.session-token"));
  const token = await getToken({ req: cookieOnly, secret: env().AUTH_SECRET, secureCookie }).catch(() => null);
  if (!token?.sub || !token.workspaceId) throw unauthorized();
  const membership = await db.membership.findUnique({
    where: { userId_workspaceId: { userId: token.sub, workspaceId: token.workspaceId } },
    select: { workspaceId: true, user: { select: { sessionVersion: true } } },
  });
  if (!membership || !isTokenCurrent(token.sv, membership.user.sessionVersion))
    throw unauthorized("Session is no longer valid: sign in again");
  assertSameOrigin(req);
  return { workspaceId: membership.workspaceId, via: "session", userId: token.sub };
}
