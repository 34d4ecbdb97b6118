-- Event.data keeps the publisher's JSON text (key order, numbers, escapes) instead of jsonb's normalised
-- form. Rows stored before keep jsonb's rendering of their data (PostgreSQL's key order, ", " and ": ").
-- AlterTable
ALTER TABLE "Event" ALTER COLUMN "data" SET DATA TYPE TEXT;
