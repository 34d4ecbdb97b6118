import { ok } from "@/lib/api/envelope";
import { methodNotAllowed } from "@/lib/api/methods";
import { apiRoute } from "@/lib/api/route";
import { dismissNotice } from "@/lib/notices/notices";

export const POST = apiRoute<{ id: string }>(async ({ principal, params }) =>
  ok(
    await dismissNotice(
      principal.workspaceId,
      params.id,
      principal.via === "session" ? principal.userId : `api_key:${principal.apiKeyId}`,
    ),
  ),
);

const unsupported = methodNotAllowed(["POST"]);
export { unsupported as GET, unsupported as HEAD, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
