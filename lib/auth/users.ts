import { randomBytes } from "node:crypto";
import { z } from "zod";
import { ApiError } from "@/lib/errors";
import { db } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { hashPassword, verifyPassword } from "@/lib/auth/passwords";

/** Longest password accepted anywhere (sign-up, sign-in), checked before any hashing. */
export const MAX_PASSWORD_LENGTH = 200;
/** Cap on request bodies of the auth routes (sign-up, next-auth's credentials callback). */
export const AUTH_MAX_BODY_BYTES = 16 * 1024;

export const signUpSchema = z.strictObject({
  email: z
    .email()
    .max(254)
    .transform((e) => e.toLowerCase()),
  password: z
    .string()
    .min(8, "must be at least 8 characters")
    .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
  name: z.string().trim().min(1).max(100).optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

export type SessionUser = {
  id: string;
  email: string;
  name: string | null;
  workspaceId: string;
  /** The user's session version when signed in (lib/auth/sessions.ts). */
  sessionVersion: number;
};

/** Creates a user and their own workspace (the user owns it). Email taken → 409. */
export async function createUserWithWorkspace(input: SignUpInput): Promise<SessionUser> {
  const passwordHash = await hashPassword(input.password);
  const userId = newId("usr");
  const workspaceId = newId("wks");
  try {
    await db.$transaction([
      db.user.create({ data: { id: userId, email: input.email, name: input.name ?? null, passwordHash } }),
      db.workspace.create({
        data: { id: workspaceId, name: `${input.name ?? input.email.split("@")[0]}'s workspace` },
      }),
      db.membership.create({ data: { userId, workspaceId, role: "owner" } }),
    ]);
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new ApiError(409, "conflict", "An account with this email already exists", [
        { field: "email", message: "already registered" },
      ]);
    }
    throw err;
  }
  return { id: userId, email: input.email, name: input.name ?? null, workspaceId, sessionVersion: 0 };
}

/** Checks email + password; returns the user with their (first) workspace, or null. */
export async function authenticate(email: string, password: string): Promise<SessionUser | null> {
  if (password.length > MAX_PASSWORD_LENGTH || email.length > 254) return null;
  const user = await db.user.findUnique({
    where: { email: email.toLowerCase() },
    include: { memberships: { orderBy: { createdAt: "asc" }, take: 1 } },
  });
  // Verify against a hash even when the user is unknown, so timing does not reveal accounts.
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyHash), password);
  const membership = user?.memberships[0];
  if (!user || !ok || !membership) return null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    workspaceId: membership.workspaceId,
    sessionVersion: user.sessionVersion,
  };
}

let dummyHash: Promise<string> | undefined;
