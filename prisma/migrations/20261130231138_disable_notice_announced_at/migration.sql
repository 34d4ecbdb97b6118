-- AlterTable
ALTER TABLE "WebhookDisableNotice" ADD COLUMN     "announcedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "WebhookDisableNotice_announcedAt_createdAt_idx" ON "WebhookDisableNotice"("announcedAt", "createdAt");
