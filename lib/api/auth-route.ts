import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { readTextCapped } from "@/lib/api/body";
import { ApiError } from "@/lib/errors";
import { toErrorResponse } from "@/lib/api/route";
import { authOptions } from "@/lib/auth/options";
import { beginSignIn, signInSucceeded } from "@/lib/auth/throttle";
import { AUTH_MAX_BODY_BYTES, MAX_PASSWORD_LENGTH } from "@/lib/auth/users";
import { appOrigin } from "@/lib/env";
import { clientIp } from "@/lib/http/client-ip";

/**
 * next-auth's route handler (/api/auth/*) behind the account protections:
 * POST bodies capped at AUTH_MAX_BODY_BYTES (413), and on the credentials
 * sign-in: passwords longer than MAX_PASSWORD_LENGTH refused before any
 * hashing (400) and the sign-in throttle (429 + Retry-After, lib/auth/throttle.ts).
 *
 * Refusals use the API's error envelope plus the `url` next-auth's client
 * reads (`signIn()` returns its `error` parameter: `rate_limited:<seconds>`,
 * `password_too_long`, `payload_too_large`).
 */

type Ctx = { params: Promise<{ nextauth: string[] }> };

function refusal(err: ApiError, req: Request, errorParam: string): Response {
  const res = toErrorResponse(err, req);
  const url = `${appOrigin()}/sign-in?error=${encodeURIComponent(errorParam)}`;
  const body = { success: false, error: { code: err.code, message: err.message, details: err.details }, url };
  return Response.json(body, { status: res.status, headers: res.headers });
}

function credentialsOf(text: string, contentType: string): { email: string; password: string } {
  let fields: Record<string, unknown> = {};
  if (contentType.includes("application/json")) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === "object") fields = parsed as Record<string, unknown>;
    } catch {
      // next-auth answers malformed bodies itself
    }
  } else fields = Object.fromEntries(new URLSearchParams(text));
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return { email: str(fields.email), password: str(fields.password) };
}

export async function authRouteHandler(req: Request, ctx: Ctx): Promise<Response> {
  const nextAuth = NextAuth(authOptions()) as (req: NextRequest, ctx: Ctx) => Promise<Response>;
  if (req.method !== "POST") return nextAuth(new NextRequest(req), ctx);

  let text: string;
  try {
    text = await readTextCapped(req, AUTH_MAX_BODY_BYTES);
  } catch (err) {
    return err instanceof ApiError ? refusal(err, req, "payload_too_large") : toErrorResponse(err, req);
  }
  const forward = new NextRequest(req.url, { method: "POST", headers: req.headers, body: text });
  const segments = (await ctx.params).nextauth ?? [];
  if (segments[0] !== "callback" || segments[1] !== "credentials") return nextAuth(forward, ctx);

  const { email, password } = credentialsOf(text, req.headers.get("content-type") ?? "");
  if (password.length > MAX_PASSWORD_LENGTH) {
    const message = `password: must be at most ${MAX_PASSWORD_LENGTH} characters`;
    return refusal(
      new ApiError(400, "validation_error", `Request body is invalid: ${message}`, [
        { field: "password", message: `must be at most ${MAX_PASSWORD_LENGTH} characters` },
      ]),
      req,
      "password_too_long",
    );
  }
  const ip = clientIp(req);
  try {
    await beginSignIn(email, ip);
  } catch (err) {
    if (err instanceof ApiError && err.status === 429) {
      const seconds = (err.details as { retryAfter: number }).retryAfter;
      return refusal(err, req, `rate_limited:${seconds}`);
    }
    return toErrorResponse(err, req);
  }
  const res = await nextAuth(forward, ctx);
  const signedIn = res.headers.getSetCookie().some((c) => /^(__Secure-)?next-auth\.session-token/.test(c));
  if (signedIn) await signInSucceeded(email, ip);
  return res;
}
