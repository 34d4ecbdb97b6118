import { errorResponse } from "@/lib/api/envelope";
import { ApiError } from "@/lib/errors";

/**
 * Envelopes for what Next.js would answer bare: a method a route does not
 * support (405 with `Allow`, instead of an empty body) and a path under
 * /api/v1 that is no route at all (404, instead of the HTML 404 page; see
 * app/api/v1/[...path]/route.ts). Each route file exports
 * `methodNotAllowed([...])` under the methods it lacks.
 */

const FALLBACK = Symbol.for("akol.api.fallbackHandler");
type Fallback = ((req: Request) => Promise<Response>) & { [FALLBACK]?: true };

function mark(handler: Fallback): Fallback {
  handler[FALLBACK] = true;
  return handler;
}

/** True for the handlers below: tests that enumerate "every route" skip them. */
export function isFallbackHandler(handler: unknown): boolean {
  return typeof handler === "function" && (handler as Fallback)[FALLBACK] === true;
}

export function allowHeader(allowed: readonly string[]): string {
  const set = new Set(allowed);
  if (set.has("GET")) set.add("HEAD");
  set.add("OPTIONS");
  return [...set].join(", ");
}

export function methodNotAllowed(allowed: readonly string[]): (req: Request) => Promise<Response> {
  const allow = allowHeader(allowed);
  return mark(async (req) =>
    errorResponse(
      new ApiError(
        405,
        "method_not_allowed",
        `${req.method} is not supported on this route; allowed: ${allow}`,
        undefined,
        {
          Allow: allow,
        },
      ),
    ),
  );
}

export const unknownRoute = mark(async (req) =>
  errorResponse(
    new ApiError(404, "not_found", `No API route ${req.method} ${new URL(req.url).pathname}: see /api/v1/openapi.json`),
  ),
);
