import type { NextRequest } from "next/server";
import type { InngestCommHandler } from "inngest";
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
 * The same functions for the embedded executor's in-process calls only (never
 * routed: no HTTP request reaches it). Signature validation is skipped
 * (`skipSignatureValidation`), which also drops the response signature:
 * together the SDK's two WebCrypto HMACs per call were ~7 % of the server's
 * CPU in the delivery profile. The executor still signs its calls, so it
 * works unchanged against `inngestHandler` (tests) or over HTTP; /api/inngest
 * keeps verifying every call.
 */
const inProcessOptions: Parameters<typeof serve>[0] &
  Pick<ConstructorParameters<typeof InngestCommHandler>[0], "skipSignatureValidation"> = {
  client: inngest,
  functions,
  // An InngestCommHandler option that inngest/next's serve() passes through (typed from the SDK's own
  // declaration). Were a future SDK to drop it, the handler would verify again: the executor signs, so only
  // the saving would be lost.
  skipSignatureValidation: true,
};
export const inProcessInngestHandler = serve(inProcessOptions);

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
