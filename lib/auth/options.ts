import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { authenticate } from "@/lib/auth/users";
import { env } from "@/lib/env";

/** next-auth: email + password (Credentials) with JWT sessions carrying the workspace. */

declare module "next-auth" {
  interface Session {
    user: { id: string; email: string; name: string | null; workspaceId: string };
  }
  interface User {
    workspaceId: string;
  }
}
declare module "next-auth/jwt" {
  interface JWT {
    workspaceId?: string;
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
          return user ? { id: user.id, email: user.email, name: user.name, workspaceId: user.workspaceId } : null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.workspaceId = user.workspaceId;
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
    },
  };
}
