import { parseBody, parseQuery } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { methodNotAllowed } from "@/lib/api/methods";
import { apiRoute } from "@/lib/api/route";
import { previewRecovery, startRecovery } from "@/lib/recovery/recover";
import { recoverBodySchema, recoverQuerySchema } from "@/lib/recovery/schemas";
import { findWebhookOrThrow } from "@/lib/webhooks/get";

/** Dry run: how many deliveries a recovery of `?since=…&until=…` would replay. */
export const GET = apiRoute<{ id: string }>(async ({ req, principal, params }) => {
  await findWebhookOrThrow(principal.workspaceId, params.id); // 404 before judging someone else's query
  return ok(await previewRecovery(principal.workspaceId, params.id, parseQuery(req, recoverQuerySchema)));
});

/** Starts a bulk recovery of the window (202 with the recovery; 409 while one is running). */
export const POST = apiRoute<{ id: string }>(async ({ req, principal, params }) => {
  await findWebhookOrThrow(principal.workspaceId, params.id);
  const window = await parseBody(req, recoverBodySchema);
  return ok(await startRecovery(principal.workspaceId, params.id, window), { status: 202 });
});

const unsupported = methodNotAllowed(["GET", "POST"]);
export { unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
