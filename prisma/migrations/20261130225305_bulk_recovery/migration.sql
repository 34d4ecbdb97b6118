-- CreateEnum
CREATE TYPE "RecoveryStatus" AS ENUM ('running', 'completed', 'cancelled', 'failed');

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "recoveryId" TEXT;

-- CreateTable
CREATE TABLE "Recovery" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "status" "RecoveryStatus" NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "Recovery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Recovery_webhookId_workspaceId_createdAt_idx" ON "Recovery"("webhookId", "workspaceId", "createdAt");

-- CreateIndex
CREATE INDEX "Recovery_createdAt_idx" ON "Recovery"("createdAt");

-- CreateIndex
CREATE INDEX "Delivery_replayOfId_idx" ON "Delivery"("replayOfId");

-- CreateIndex
CREATE UNIQUE INDEX "Delivery_recoveryId_replayOfId_key" ON "Delivery"("recoveryId", "replayOfId");
