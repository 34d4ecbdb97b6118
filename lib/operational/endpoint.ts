import { z } from "zod";
import { ApiError } from "@/lib/errors";
import { db } from "@/lib/db";
import type { OperationalEndpoint } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { webhookUrlSchema } from "@/lib/outbound/ssrf";
import { probeEndpoint } from "@/lib/webhooks/probe";
import { decryptSecret, encryptSecret, generateSecret, MASKED_SECRET } from "@/lib/webhooks/secret";

/**
 * A workspace's operational webhook: at most one HTTPS endpoint that receives
 * the platform's operational events (lib/operational/events.ts), signed with
 * its own secret (encrypted at rest like webhook secrets, bound to its id).
 * Set with PUT (probed first, like a webhook), read with GET, removed with DELETE.
 */

export const putOperationalWebhookSchema = z.strictObject({ url: webhookUrlSchema });

export const operationalWebhookViewSchema = z.object({
  id: z.string(),
  url: z.string(),
  secret: z.string().describe("Always masked (whsec_••••••••••) except in the response that created it"),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type OperationalWebhookView = z.infer<typeof operationalWebhookViewSchema>;
export const putOperationalWebhookResultSchema = operationalWebhookViewSchema.extend({
  created: z.boolean().describe("true when this request created the endpoint (and a new secret)"),
  secret: z
    .string()
    .describe("The plaintext signing secret when `created` is true (shown this once); masked otherwise"),
});
export type PutOperationalWebhookResult = z.infer<typeof putOperationalWebhookResultSchema>;

function toView(e: OperationalEndpoint): OperationalWebhookView {
  return {
    id: e.id,
    url: e.url,
    secret: MASKED_SECRET,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

export async function getOperationalWebhook(workspaceId: string): Promise<OperationalWebhookView | null> {
  const row = await db.operationalEndpoint.findUnique({ where: { workspaceId } });
  return row ? toView(row) : null;
}

/**
 * Creates the workspace's operational webhook (`created: true`, plaintext
 * secret this once) or changes its URL (secret masked and unchanged). A new URL is
 * probed first with a signed `webhook.probe`; a failed probe changes nothing.
 */
export async function putOperationalWebhook(
  workspaceId: string,
  input: z.output<typeof putOperationalWebhookSchema>,
): Promise<PutOperationalWebhookResult> {
  const current = await db.operationalEndpoint.findUnique({ where: { workspaceId } });
  if (current) {
    if (current.url !== input.url)
      await probeEndpoint({
        url: input.url,
        secret: decryptSecret(current.secretEncrypted, current.id),
        webhookId: current.id,
      });
    const rows = await db.operationalEndpoint.updateManyAndReturn({
      where: { id: current.id, workspaceId },
      data: { url: input.url },
    });
    const row = rows[0];
    if (!row) throw new ApiError(409, "conflict", "The operational webhook was removed meanwhile; try again");
    return { ...toView(row), created: false };
  }
  const id = newId("opw");
  const secret = generateSecret();
  await probeEndpoint({ url: input.url, secret, webhookId: id });
  const inserted = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO "OperationalEndpoint" (id, "workspaceId", url, "secretEncrypted", "updatedAt")
    VALUES (${id}, ${workspaceId}, ${input.url}, ${encryptSecret(secret, id)}, now())
    ON CONFLICT ("workspaceId") DO NOTHING RETURNING id`;
  if (inserted.length === 0)
    throw new ApiError(
      409,
      "conflict",
      "An operational webhook was set meanwhile by another request; read it with GET",
    );
  const row = await db.operationalEndpoint.findUniqueOrThrow({ where: { id } });
  return { ...toView(row), created: true, secret };
}

export async function deleteOperationalWebhook(workspaceId: string): Promise<{ deleted: boolean }> {
  const { count } = await db.operationalEndpoint.deleteMany({ where: { workspaceId } });
  return { deleted: count > 0 };
}
