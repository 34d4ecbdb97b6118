import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { rotateWebhookSecret } from "@/lib/webhooks/rotate-secret";
import { methodNotAllowed } from "@/lib/api/methods";

export const POST = apiRoute<{ id: string }>(async ({ principal, params }) =>
  ok(await rotateWebhookSecret(principal.workspaceId, params.id)),
);

const unsupported = methodNotAllowed(["POST"]);
export { unsupported as GET, unsupported as HEAD, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
