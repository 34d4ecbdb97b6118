-- CreateTable
CREATE TABLE "WebhookDisableNotice" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "disabledAt" TIMESTAMP(3) NOT NULL,
    "dismissedAt" TIMESTAMP(3),
    "dismissedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDisableNotice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OperationalEndpoint" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secretEncrypted" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OperationalEndpoint_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WebhookDisableNotice_workspaceId_dismissedAt_idx" ON "WebhookDisableNotice"("workspaceId", "dismissedAt");

-- CreateIndex
CREATE INDEX "WebhookDisableNotice_webhookId_idx" ON "WebhookDisableNotice"("webhookId");

-- CreateIndex
CREATE UNIQUE INDEX "OperationalEndpoint_workspaceId_key" ON "OperationalEndpoint"("workspaceId");

-- AddForeignKey
ALTER TABLE "WebhookDisableNotice" ADD CONSTRAINT "WebhookDisableNotice_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDisableNotice" ADD CONSTRAINT "WebhookDisableNotice_webhookId_fkey" FOREIGN KEY ("webhookId") REFERENCES "Webhook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OperationalEndpoint" ADD CONSTRAINT "OperationalEndpoint_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
