import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { apiRoute } from "@/lib/api/route";
import { createWebhook } from "@/lib/webhooks/create";
import { listWebhooks } from "@/lib/webhooks/list";
import { createWebhookSchema } from "@/lib/webhooks/schemas";

export const GET = apiRoute(async ({ principal }) => ok(await listWebhooks(principal.workspaceId)));

export const POST = apiRoute(async ({ req, principal }) =>
  ok(await createWebhook(principal.workspaceId, await parseBody(req, createWebhookSchema)), { status: 201 }),
);
