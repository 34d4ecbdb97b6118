import { openApiDocument } from "@/lib/openapi";

/** The OpenAPI 3.1 document (public: it describes the API, it exposes no data). */
export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
