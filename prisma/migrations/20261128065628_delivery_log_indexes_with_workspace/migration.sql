-- DropIndex
DROP INDEX "Delivery_webhookId_createdAt_id_idx";

-- DropIndex
DROP INDEX "Delivery_webhookId_success_createdAt_id_idx";

-- DropIndex
DROP INDEX "Delivery_webhookId_eventType_createdAt_idx";

-- CreateIndex
CREATE INDEX "Delivery_webhookId_workspaceId_createdAt_id_idx" ON "Delivery"("webhookId", "workspaceId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Delivery_webhookId_workspaceId_success_createdAt_id_idx" ON "Delivery"("webhookId", "workspaceId", "success", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Delivery_webhookId_workspaceId_eventType_createdAt_id_idx" ON "Delivery"("webhookId", "workspaceId", "eventType", "createdAt" DESC, "id" DESC);
