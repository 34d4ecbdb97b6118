import { db } from "@/lib/db";

/**
 * Revocable sessions. Session tokens are stateless JWTs; each carries the
 * user's `sessionVersion` from when it was issued. Signing out bumps the
 * version, so every token issued before, on every device, stops working at
 * once: next-auth's `jwt` callback (pages) and the API guard both compare.
 * A token without a version counts as version 0.
 */

export class SessionRevokedError extends Error {
  override name = "SessionRevokedError";
  constructor() {
    super("session ended: signed out, or signed out everywhere");
  }
}

/** The user's current session version, or null when the user no longer exists. */
export async function currentSessionVersion(userId: string): Promise<number | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return user?.sessionVersion ?? null;
}

export function isTokenCurrent(tokenVersion: number | undefined, current: number | null): boolean {
  return current !== null && (tokenVersion ?? 0) === current;
}

/** Ends every session of the user (all devices): tokens issued before are refused from now on. */
export async function endAllSessions(userId: string): Promise<void> {
  await db.user.updateMany({ where: { id: userId }, data: { sessionVersion: { increment: 1 } } });
}
