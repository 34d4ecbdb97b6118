import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { testEventSchema } from "@/lib/delivery/schemas";
import { sendTestEvent } from "@/lib/delivery/test-event";
import { findWebhookOrThrow } from "@/lib/webhooks/get";
import { methodNotAllowed } from "@/lib/api/methods";

export const POST = apiRoute<{ id: string }>(async ({ req, principal, params }) => {
  const webhook = await findWebhookOrThrow(principal.workspaceId, params.id); // 404 before judging someone else's body
  const { event } = await parseBody(req, testEventSchema);
  return ok(await sendTestEvent(webhook, event), { status: 202 });
});

const unsupported = methodNotAllowed(["POST"]);
export { unsupported as GET, unsupported as HEAD, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
