import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { listDeletedWebhookLogs } from "@/lib/delivery/deleted-logs";

export const GET = apiRoute(async ({ principal }) => ok(await listDeletedWebhookLogs(principal.workspaceId)));
