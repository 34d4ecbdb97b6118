-- CreateTable
CREATE TABLE "WebhookSendBudget" (
    "webhookId" TEXT NOT NULL,
    "nextFreeAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookSendBudget_pkey" PRIMARY KEY ("webhookId")
);

-- AddForeignKey
ALTER TABLE "WebhookSendBudget" ADD CONSTRAINT "WebhookSendBudget_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;
