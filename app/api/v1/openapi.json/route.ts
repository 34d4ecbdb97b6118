import { openApiDocument } from "@/lib/openapi";
import { methodNotAllowed } from "@/lib/api/methods";

/** The OpenAPI 3.1 document (public: it describes the API, it exposes no data). */
export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
