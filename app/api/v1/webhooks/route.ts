import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { createWebhook } from "@/lib/webhooks/create";
import { listWebhooks } from "@/lib/webhooks/list";
import { createWebhookSchema } from "@/lib/webhooks/schemas";
import { methodNotAllowed } from "@/lib/api/methods";

export const GET = apiRoute(async ({ principal }) => ok(await listWebhooks(principal.workspaceId)));

export const POST = apiRoute(async ({ req, principal }) =>
  ok(await createWebhook(principal.workspaceId, await parseBody(req, createWebhookSchema)), { status: 201 }),
);

const unsupported = methodNotAllowed(["GET", "POST"]);
export { unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
