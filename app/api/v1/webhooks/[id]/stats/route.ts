import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { webhookHealth } from "@/lib/delivery/stats";
import { findWebhookOrThrow } from "@/lib/webhooks/get";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute<{ id: string }>(async ({ principal, params }) => {
  const webhook = await findWebhookOrThrow(principal.workspaceId, params.id);
  return ok(await webhookHealth(principal.workspaceId, webhook.id));
});

const unsupported = methodNotAllowed(["GET"]);
export { unsupported as POST, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
