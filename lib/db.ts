import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

/**
 * The one database handle of the process: a pg pool, shared by the Prisma
 * client and the few places that need raw SQL (rate limiter, executor).
 * Created on first use, never at import (builds need no database).
 */

type Holder = { __akolDb?: { pool: pg.Pool; prisma: PrismaClient } };
const holder = globalThis as unknown as Holder;

export function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set: start the app with `npm run dev` / `npm start`, which provide the embedded database",
    );
  }
  return url;
}

function handles() {
  if (!holder.__akolDb) {
    const pool = new pg.Pool({ connectionString: databaseUrl(), max: env().DATABASE_POOL_SIZE });
    pool.on("error", () => undefined); // idle-client errors surface on the next query instead
    holder.__akolDb = { pool, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) };
  }
  return holder.__akolDb;
}

export function pool(): pg.Pool {
  return handles().pool;
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    const c = handles().prisma;
    const value = Reflect.get(c, prop, c) as unknown;
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(c) : value;
  },
});

/** Closes the client and pool (tests and CLI scripts). */
export async function disconnectDb(): Promise<void> {
  const h = holder.__akolDb;
  holder.__akolDb = undefined;
  if (h) {
    await h.prisma.$disconnect();
    await h.pool.end().catch(() => undefined);
  }
}
