import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { webhookHealth } from "@/lib/delivery/stats";
import { findWebhookOrThrow } from "@/lib/webhooks/get";

export const GET = apiRoute<{ id: string }>(async ({ principal, params }) => {
  const webhook = await findWebhookOrThrow(principal.workspaceId, params.id);
  return ok(await webhookHealth(principal.workspaceId, webhook.id));
});
