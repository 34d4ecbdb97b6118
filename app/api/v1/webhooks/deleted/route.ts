import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { listDeletedWebhookLogs } from "@/lib/delivery/deleted-logs";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute(async ({ principal }) => ok(await listDeletedWebhookLogs(principal.workspaceId)));

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
