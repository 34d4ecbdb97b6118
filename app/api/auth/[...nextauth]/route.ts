import NextAuth from "next-auth";
import { authOptions } from "@/lib/auth/options";

type Ctx = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, ctx: Ctx): Promise<Response> {
  return NextAuth(authOptions())(req, ctx) as Promise<Response>;
}

export { handler as GET, handler as POST };
