import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { revokeApiKey } from "@/lib/auth/api-keys";
import { methodNotAllowed } from "@/lib/api/methods";

export const DELETE = apiRoute<{ id: string }>(async ({ principal, params }) => {
  await revokeApiKey(principal.workspaceId, params.id);
  return ok({ id: params.id, revoked: true });
});

const unsupported = methodNotAllowed(["DELETE"]);
export { unsupported as GET, unsupported as HEAD, unsupported as POST, unsupported as PUT, unsupported as PATCH };
