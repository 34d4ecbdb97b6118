import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth/options";

export const dynamic = "force-dynamic";

export default async function Home() {
  const session = await getServerSession(authOptions());
  redirect(session ? "/webhooks" : "/sign-in");
}
