import "server-only";
import { hash, verify } from "@node-rs/argon2";

/** Passwords are stored as argon2id hashes (OWASP parameters: 19 MiB, 2 iterations). */

const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}
