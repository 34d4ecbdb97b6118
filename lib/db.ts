import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

/** The one Prisma client of the process, created on first use. */

const holder = globalThis as unknown as { __akolPrisma?: PrismaClient };

export function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) {
    throw new Error("DATABASE_URL is not set: start the app with `npm run dev` / `npm start`, which provide the embedded database");
  }
  return url;
}

function client(): PrismaClient {
  holder.__akolPrisma ??= new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl(), max: 20 }),
  });
  return holder.__akolPrisma;
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    const c = client();
    const value = Reflect.get(c, prop, c) as unknown;
    return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(c) : value;
  },
});

/** Closes the client (tests and CLI scripts). */
export async function disconnectDb(): Promise<void> {
  if (holder.__akolPrisma) {
    await holder.__akolPrisma.$disconnect();
    holder.__akolPrisma = undefined;
  }
}

export type { PrismaClient };
