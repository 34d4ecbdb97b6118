import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { createApiKey, createApiKeySchema, listApiKeys } from "@/lib/auth/api-keys";

export const GET = apiRoute(async ({ principal }) => ok(await listApiKeys(principal.workspaceId)));

export const POST = apiRoute(async ({ req, principal }) => {
  const { name } = await parseBody(req, createApiKeySchema);
  return ok(await createApiKey(principal.workspaceId, name), { status: 201 });
});
