import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import type { ReactNode } from "react";
import { Nav } from "@/components/layout/nav";
import { DisabledNotices } from "@/components/notices/disabled-notices";
import { authOptions } from "@/lib/auth/options";
import { readTheme } from "@/lib/theme";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const session = await getServerSession(authOptions());
  if (!session?.user.workspaceId) redirect("/sign-in");
  return (
    <>
      <Nav email={session.user.email} theme={await readTheme()} />
      <DisabledNotices />
      <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </>
  );
}
