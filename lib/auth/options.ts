import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { safeRedirect } from "@/lib/auth/redirect";
import { currentSessionVersion, endAllSessions, isTokenCurrent, SessionRevokedError } from "@/lib/auth/sessions";
import { authenticate } from "@/lib/auth/users";
import { appOrigin, env } from "@/lib/env";
import { log } from "@/lib/log";

/**
 * next-auth: email + password (Credentials) with JWT sessions carrying the
 * workspace and the user's session version (revocable: lib/auth/sessions.ts).
 * Throttling and body caps are applied in front of it (app/api/auth/[...nextauth]).
 */

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string | null; workspaceId: string };
  }
  interface User {
    workspaceId: string;
    sessionVersion: number;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    workspaceId?: string;
    /** The user's session version when this token was issued. */
    sv?: number;
  }
}

export function authOptions(): NextAuthOptions {
  return {
    secret: env().AUTH_SECRET,
    session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
    pages: { signIn: "/sign-in" },
    providers: [
      CredentialsProvider({
        name: "Email",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          if (!credentials?.email || !credentials.password) return null;
          const user = await authenticate(credentials.email, credentials.password);
          return user
            ? {
                id: user.id,
                email: user.email,
                name: user.name,
                workspaceId: user.workspaceId,
                sessionVersion: user.sessionVersion,
              }
            : null;
        },
      }),
    ],
    callbacks: {
      async jwt({ token, user }) {
        if (user) {
          token.workspaceId = user.workspaceId;
          token.sv = user.sessionVersion;
          return token;
        }
        // Every later use of the token: refused once the user signed out (version bumped) or is gone.
        if (!token.sub || !isTokenCurrent(token.sv, await currentSessionVersion(token.sub))) {
          throw new SessionRevokedError();
        }
        return token;
      },
      session({ session, token }) {
        session.user = {
          id: token.sub ?? "",
          email: token.email ?? "",
          name: token.name ?? null,
          workspaceId: token.workspaceId ?? "",
        };
        return session;
      },
      redirect({ url }) {
        const origin = appOrigin();
        return `${origin}${safeRedirect(url, origin, "/webhooks")}`;
      },
    },
    events: {
      async signOut({ token }) {
        // Sign-out ends every session of the account, on every device (see README, Security).
        if (token?.sub) await endAllSessions(token.sub);
      },
    },
    logger: {
      error(code, metadata) {
        // A revoked session is expected, not an error: next-auth clears its cookie.
        const revoked =
          metadata instanceof SessionRevokedError ||
          (metadata && "error" in metadata && metadata.error instanceof SessionRevokedError);
        if (revoked) log.debug("session refused: revoked", { code });
        else log.error(`next-auth: ${code}`, { err: metadata });
      },
      warn(code) {
        log.warn(`next-auth: ${code}`);
      },
      debug() {},
    },
  };
}
