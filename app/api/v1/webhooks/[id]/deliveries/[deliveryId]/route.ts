import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { findDeliveryOrThrow } from "@/lib/delivery/logs";
import { toDeliveryView } from "@/lib/delivery/view";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute<{ id: string; deliveryId: string }>(async ({ principal, params }) =>
  ok(toDeliveryView(await findDeliveryOrThrow(principal.workspaceId, params.id, params.deliveryId))),
);

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
