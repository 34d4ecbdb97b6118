import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { createApiKey, createApiKeySchema, listApiKeys } from "@/lib/auth/api-keys";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute(async ({ principal }) => ok(await listApiKeys(principal.workspaceId)));

export const POST = apiRoute(async ({ req, principal }) => {
  const { name } = await parseBody(req, createApiKeySchema);
  return ok(await createApiKey(principal.workspaceId, name), { status: 201 });
});

const unsupported = methodNotAllowed(["GET", "POST"]);
export { unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
