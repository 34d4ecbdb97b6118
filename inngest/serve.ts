import type { NextRequest } from "next/server";
import type { InngestCommHandler } from "inngest";
import { serve } from "inngest/next";
import { errorResponse } from "@/lib/api/envelope";
import { ApiError } from "@/lib/errors";
import { settings } from "@/lib/env";
import { inngest } from "@/inngest/client";
import { canonicalJson, embeddedSigningKey, verifySignature } from "@/inngest/embedded/signing";
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

/** The key the Inngest server (or the embedded executor) signs its calls with. */
function signingKey(): string {
  const s = settings();
  return s.INNGEST_SIGNING_KEY && s.INNGEST_EVENT_KEY ? s.INNGEST_SIGNING_KEY : embeddedSigningKey();
}

/** A sync (PUT) is verified here: the SDK checks the signature of calls, not of an out-of-band sync. */
function validSyncSignature(header: string, body: string): boolean {
  const key = signingKey();
  if (verifySignature(header, body, key)) return true;
  try {
    return body !== "" && verifySignature(header, canonicalJson(JSON.parse(body)), key);
  } catch {
    return false;
  }
}

const refusal = (message: string) => errorResponse(new ApiError(401, "unauthorized", message));

/**
 * /api/inngest as routed: a request without `x-inngest-signature` is refused
 * (401, error envelope) before the SDK sees it, in every mode but INNGEST_DEV
 * (the local dev server does not sign). Calls (POST) go to the SDK, which
 * verifies the signature; a sync (PUT) is verified here, since the SDK does
 * not verify an out-of-band sync. So no unsigned or forged caller learns
 * which mode runs or can trigger a sync (sync from the Inngest dashboard:
 * in-band, signed).
 */
export function requireInngestSignature(): Record<
  "GET" | "POST" | "PUT",
  (req: NextRequest, ctx: unknown) => Promise<Response>
> {
  const guard =
    (method: "GET" | "POST" | "PUT") =>
    async (req: NextRequest, ctx: unknown): Promise<Response> => {
      const handler = inngestHandler[method] as (req: NextRequest, ctx: unknown) => Promise<Response>;
      if (settings().INNGEST_DEV) return handler(req, ctx);
      const signature = req.headers.get("x-inngest-signature");
      if (!signature) return refusal("Unsigned request: /api/inngest accepts signed calls only");
      if (method !== "PUT") return handler(req, ctx);
      const body = await req.text();
      if (!validSyncSignature(signature, body)) return refusal("Invalid signature");
      // Loaded here, not at import: the executor worker imports this module too and never routes a request,
      // so it does not load next/server's ≈ 14 MB (scripts/precompile.mjs, README "Memory").
      const { NextRequest: Replayed } = await import("next/server");
      const replay = new Replayed(req.url, { method, headers: req.headers, body: body === "" ? undefined : body });
      return handler(replay, ctx);
    };
  return { GET: guard("GET"), POST: guard("POST"), PUT: guard("PUT") };
}
