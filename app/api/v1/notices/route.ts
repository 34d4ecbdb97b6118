import { ok } from "@/lib/api/envelope";
import { methodNotAllowed } from "@/lib/api/methods";
import { apiRoute } from "@/lib/api/route";
import { listActiveNotices } from "@/lib/notices/notices";

export const GET = apiRoute(async ({ principal }) => ok(await listActiveNotices(principal.workspaceId)));

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
