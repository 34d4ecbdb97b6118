import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { revokeApiKey } from "@/lib/auth/api-keys";

export const DELETE = apiRoute<{ id: string }>(async ({ principal, params }) => {
  await revokeApiKey(principal.workspaceId, params.id);
  return ok({ id: params.id, revoked: true });
});
