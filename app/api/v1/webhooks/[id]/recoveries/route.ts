import { ok } from "@/lib/api/envelope";
import { methodNotAllowed } from "@/lib/api/methods";
import { apiRoute } from "@/lib/api/route";
import { listRecoveries } from "@/lib/recovery/recover";

/** The webhook's bulk recoveries, newest first (at most 20), with their progress. */
export const GET = apiRoute<{ id: string }>(async ({ principal, params }) =>
  ok(await listRecoveries(principal.workspaceId, params.id)),
);

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
