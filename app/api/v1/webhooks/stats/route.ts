import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { workspaceSparklines } from "@/lib/delivery/stats";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute(async ({ principal }) => ok(await workspaceSparklines(principal.workspaceId)));

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
