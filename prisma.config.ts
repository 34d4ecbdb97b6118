import { defineConfig } from "prisma/config";

// Prisma 7 reads the connection URL from here (never from schema.prisma).
// Only `prisma generate` runs on machines where Prisma's engine cannot be
// downloaded; migrations are applied by scripts/db-migrate.ts.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://unused" },
});
