import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { replayDelivery } from "@/lib/delivery/replay";
import { methodNotAllowed } from "@/lib/api/methods";

export const POST = apiRoute<{ id: string; deliveryId: string }>(async ({ principal, params }) =>
  ok(await replayDelivery(principal.workspaceId, params.id, params.deliveryId), { status: 202 }),
);

const unsupported = methodNotAllowed(["POST"]);
export { unsupported as GET, unsupported as HEAD, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
