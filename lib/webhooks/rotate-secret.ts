import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import { findWebhookOrThrow } from "@/lib/webhooks/get";
import { encryptSecret, generateSecret } from "@/lib/webhooks/secret";
import { toWebhookView } from "@/lib/webhooks/view";

/** Replaces the signing secret; the old one stops signing at once. Returns the new plaintext this once. */
export async function rotateWebhookSecret(workspaceId: string, id: string) {
  await findWebhookOrThrow(workspaceId, id);
  const secret = generateSecret();
  const rows = await db.webhook.updateManyAndReturn({
    where: { id, workspaceId },
    data: { secretEncrypted: encryptSecret(secret, id) },
  });
  const row = rows[0];
  if (!row) throw notFound("Webhook");
  return { ...toWebhookView(row), secret };
}
