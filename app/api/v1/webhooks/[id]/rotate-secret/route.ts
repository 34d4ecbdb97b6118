import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { rotateWebhookSecret } from "@/lib/webhooks/rotate-secret";

export const POST = apiRoute<{ id: string }>(async ({ principal, params }) =>
  ok(await rotateWebhookSecret(principal.workspaceId, params.id)),
);
