import { ok } from "@/lib/api/envelope";
import { methodNotAllowed } from "@/lib/api/methods";
import { apiRoute } from "@/lib/api/route";
import { getRecovery } from "@/lib/recovery/recover";

/** A bulk recovery's status and progress (total / sent / succeeded / failed). */
export const GET = apiRoute<{ id: string; recoveryId: string }>(async ({ principal, params }) =>
  ok(await getRecovery(principal.workspaceId, params.id, params.recoveryId)),
);

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
