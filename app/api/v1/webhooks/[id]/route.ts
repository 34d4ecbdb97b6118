import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { deleteWebhook } from "@/lib/webhooks/delete";
import { findWebhookOrThrow } from "@/lib/webhooks/get";
import { updateWebhookSchema } from "@/lib/webhooks/schemas";
import { updateWebhook } from "@/lib/webhooks/update";
import { toWebhookView } from "@/lib/webhooks/view";
import { methodNotAllowed } from "@/lib/api/methods";

type Params = { id: string };

export const GET = apiRoute<Params>(async ({ principal, params }) =>
  ok(toWebhookView(await findWebhookOrThrow(principal.workspaceId, params.id))),
);

export const PATCH = apiRoute<Params>(async ({ req, principal, params }) => {
  const current = await findWebhookOrThrow(principal.workspaceId, params.id); // 404 before judging someone else's body
  return ok(await updateWebhook(current, await parseBody(req, updateWebhookSchema)));
});

export const DELETE = apiRoute<Params>(async ({ principal, params }) =>
  ok(await deleteWebhook(principal.workspaceId, params.id)),
);

const unsupported = methodNotAllowed(["GET", "PATCH", "DELETE"]);
export { unsupported as POST, unsupported as PUT };
