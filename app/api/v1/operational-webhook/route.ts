import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { methodNotAllowed } from "@/lib/api/methods";
import { apiRoute } from "@/lib/api/route";
import {
  deleteOperationalWebhook,
  getOperationalWebhook,
  putOperationalWebhook,
  putOperationalWebhookSchema,
} from "@/lib/operational/endpoint";

export const GET = apiRoute(async ({ principal }) => ok(await getOperationalWebhook(principal.workspaceId)));

export const PUT = apiRoute(async ({ req, principal }) =>
  ok(await putOperationalWebhook(principal.workspaceId, await parseBody(req, putOperationalWebhookSchema))),
);

export const DELETE = apiRoute(async ({ principal }) => ok(await deleteOperationalWebhook(principal.workspaceId)));

const unsupported = methodNotAllowed(["GET", "PUT", "DELETE"]);
export { unsupported as POST, unsupported as PATCH };
