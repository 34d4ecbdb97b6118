import type { z } from "zod";
import { db } from "@/lib/db";
import { newId } from "@/lib/ids";
import { probeEndpoint } from "@/lib/webhooks/probe";
import type { createWebhookSchema } from "@/lib/webhooks/schemas";
import { encryptSecret, generateSecret } from "@/lib/webhooks/secret";
import { toWebhookView } from "@/lib/webhooks/view";

/** Creates a subscription after a successful probe; returns the plaintext secret this once. */
export async function createWebhook(workspaceId: string, input: z.output<typeof createWebhookSchema>) {
  const id = newId("whk");
  const secret = generateSecret();
  await probeEndpoint({ url: input.url, secret, webhookId: id });
  const row = await db.webhook.create({
    data: { id, workspaceId, url: input.url, events: input.events, secretEncrypted: encryptSecret(secret, id) },
  });
  return { ...toWebhookView(row), secret };
}
