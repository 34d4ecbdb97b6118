import { errorResponse } from "@/lib/api/envelope";
import { ApiError } from "@/lib/errors";
import { authenticateRequest, type Principal } from "@/lib/api/guard";
import { consumeUnauthenticatedRateLimit } from "@/lib/api/rate-limit";
import { clientIp } from "@/lib/http/client-ip";
import { log } from "@/lib/log";

/**
 * Wraps every /api/v1 route handler: authenticates (one guard), applies the
 * workspace rate limit, turns thrown ApiErrors into the error envelope and
 * anything unexpected into a logged 500 envelope (never a bare 500).
 */

type RouteContext<P> = { params: Promise<P> };
type Handler<P> = (args: { req: Request; principal: Principal; params: P }) => Promise<Response>;

export function toErrorResponse(err: unknown, req: Request): Response {
  if (err instanceof ApiError) return errorResponse(err);
  log.error("unhandled error in API route", { method: req.method, path: new URL(req.url).pathname, err });
  return errorResponse(
    new ApiError(500, "internal_error", "Something went wrong on our side; the request was not applied"),
  );
}

export function apiRoute<P extends Record<string, string> = Record<string, string>>(handler: Handler<P>) {
  return async (req: Request, ctx: RouteContext<P>): Promise<Response> => {
    let rateHeaders: Record<string, string> = {};
    try {
      const { principal, rate } = await authenticateRequest(req);
      rateHeaders = rate;
      const params = ctx?.params ? await ctx.params : ({} as P);
      const res = await handler({ req, principal, params });
      for (const [k, v] of Object.entries(rateHeaders)) res.headers.set(k, v);
      return res;
    } catch (caught) {
      let err = caught;
      if (err instanceof ApiError && err.status === 401) {
        // Unauthenticated: the client IP's budget, so a 401 carries RateLimit-* too (or becomes a 429).
        try {
          rateHeaders = await consumeUnauthenticatedRateLimit(clientIp(req));
        } catch (limited) {
          err = limited;
        }
      }
      const res = toErrorResponse(err, req);
      for (const [k, v] of Object.entries(rateHeaders)) if (!res.headers.has(k)) res.headers.set(k, v);
      return res;
    }
  };
}

/** Same error handling for routes outside /api/v1 that need no API auth (sign-up). */
export function publicRoute(handler: (req: Request) => Promise<Response>) {
  return async (req: Request): Promise<Response> => {
    try {
      return await handler(req);
    } catch (err) {
      return toErrorResponse(err, req);
    }
  };
}
