import type { z } from "zod";
import { ApiError } from "@/lib/errors";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { probeEndpoint } from "@/lib/webhooks/probe";
import type { createWebhookSchema } from "@/lib/webhooks/schemas";
import { encryptSecret, generateSecret } from "@/lib/webhooks/secret";
import { toWebhookView } from "@/lib/webhooks/view";

function quotaExceeded(limit: number): ApiError {
  return new ApiError(
    409,
    "quota_exceeded",
    `This workspace already has ${limit} webhooks, the most it may have: delete one before creating another`,
    { limit },
  );
}

async function assertBelowQuota(workspaceId: string, tx: Pick<typeof db, "webhook"> = db): Promise<void> {
  const limit = env().MAX_WEBHOOKS_PER_WORKSPACE;
  if ((await tx.webhook.count({ where: { workspaceId } })) >= limit) throw quotaExceeded(limit);
}

/**
 * Creates a subscription after a successful probe; returns the plaintext secret this once.
 * At most MAX_WEBHOOKS_PER_WORKSPACE per workspace (409 quota_exceeded): checked before the
 * probe, and again under a per-workspace lock when inserting, so concurrent creates cannot overshoot.
 */
export async function createWebhook(workspaceId: string, input: z.output<typeof createWebhookSchema>) {
  await assertBelowQuota(workspaceId);
  const id = newId("whk");
  const secret = generateSecret();
  await probeEndpoint({ url: input.url, secret, webhookId: id });
  const row = await db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtextextended(${`webhooks:${workspaceId}`}, 0))`;
    await assertBelowQuota(workspaceId, tx);
    return tx.webhook.create({
      data: { id, workspaceId, url: input.url, events: input.events, secretEncrypted: encryptSecret(secret, id) },
    });
  });
  return { ...toWebhookView(row), secret };
}
