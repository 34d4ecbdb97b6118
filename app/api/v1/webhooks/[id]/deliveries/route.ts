import { parseQuery } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { assertWebhookLogsVisible, listDeliveries } from "@/lib/delivery/logs";
import { listDeliveriesQuerySchema } from "@/lib/delivery/schemas";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute<{ id: string }>(async ({ req, principal, params }) => {
  await assertWebhookLogsVisible(principal.workspaceId, params.id);
  const page = await listDeliveries(principal.workspaceId, params.id, parseQuery(req, listDeliveriesQuerySchema));
  return ok(page.data, { extra: { pagination: page.pagination } });
});

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
