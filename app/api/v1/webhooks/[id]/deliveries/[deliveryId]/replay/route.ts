import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { replayDelivery } from "@/lib/delivery/replay";

export const POST = apiRoute<{ id: string; deliveryId: string }>(async ({ principal, params }) =>
  ok(await replayDelivery(principal.workspaceId, params.id, params.deliveryId), { status: 202 }),
);
