import type { NextRequest } from "next/server";
import { serve } from "inngest/next";
import { errorResponse } from "@/lib/api/envelope";
import { ApiError } from "@/lib/api/errors";
import { settings } from "@/lib/env";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/index";

/**
 * The served functions: the handler behind /api/inngest (for Inngest Cloud or
 * a self-hosted server) and the very handler the embedded executor drives
 * in-process. Requests must carry a valid signature (cloud mode), including
 * in embedded mode, where the signing key is derived from AUTH_SECRET.
 */
export const inngestHandler = serve({ client: inngest, functions });

/**
 * /api/inngest as routed: a request without `x-inngest-signature` is refused
 * (401, error envelope) before the SDK sees it, in every mode but INNGEST_DEV
 * (the local dev server does not sign). Signed requests go to the SDK, which
 * verifies the signature. So no unsigned caller learns which mode runs or
 * can trigger an out-of-band sync (sync from the Inngest dashboard: in-band,
 * signed).
 */
export function requireInngestSignature(): Record<
  "GET" | "POST" | "PUT",
  (req: NextRequest, ctx: unknown) => Promise<Response>
> {
  const guard =
    (method: "GET" | "POST" | "PUT") =>
    async (req: NextRequest, ctx: unknown): Promise<Response> => {
      if (!settings().INNGEST_DEV && !req.headers.get("x-inngest-signature")) {
        return errorResponse(
          new ApiError(401, "unauthorized", "Unsigned request: /api/inngest accepts signed calls only"),
        );
      }
      return (inngestHandler[method] as (req: NextRequest, ctx: unknown) => Promise<Response>)(req, ctx);
    };
  return { GET: guard("GET"), POST: guard("POST"), PUT: guard("PUT") };
}
