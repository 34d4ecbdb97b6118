import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { workspaceSparklines } from "@/lib/delivery/stats";

export const GET = apiRoute(async ({ principal }) => ok(await workspaceSparklines(principal.workspaceId)));
