import type { z } from "zod";
import { notFound } from "@/lib/errors";
import { db } from "@/lib/db";
import type { Webhook } from "@/lib/generated/prisma/client";
import { probeEndpoint } from "@/lib/webhooks/probe";
import type { updateWebhookSchema } from "@/lib/webhooks/schemas";
import { decryptSecret } from "@/lib/webhooks/secret";
import { toWebhookView } from "@/lib/webhooks/view";

/**
 * Updates any subset of url, events, isActive. A new URL, or re-enabling a
 * disabled endpoint, probes first; a failed probe rejects the whole update.
 * Re-enabling clears the failure streak and the disable reason.
 */
export async function updateWebhook(current: Webhook, input: z.output<typeof updateWebhookSchema>) {
  const { id, workspaceId } = current;
  const url = input.url ?? current.url;
  const urlChanged = input.url !== undefined && input.url !== current.url;
  const reenabling = input.isActive === true && !current.isActive;
  const willBeActive = input.isActive ?? current.isActive;
  if (urlChanged || reenabling) {
    // A URL change on a disabled endpoint is still checked: it must work before it can be re-enabled.
    await probeEndpoint({ url, secret: decryptSecret(current.secretEncrypted, id), webhookId: id });
  }
  const res = await db.webhook.updateManyAndReturn({
    where: { id, workspaceId },
    data: {
      url,
      ...(input.events ? { events: input.events } : {}),
      isActive: willBeActive,
      ...(reenabling ? { failureCount: 0, failingSince: null, disabledReason: null, disabledAt: null } : {}),
      ...(input.isActive === false && current.isActive
        ? { disabledReason: "Disabled by a user", disabledAt: new Date() }
        : {}),
    },
  });
  const row = res[0];
  if (!row) throw notFound("Webhook"); // deleted meanwhile
  return toWebhookView(row);
}
