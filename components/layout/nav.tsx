"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { Button } from "@/components/ui/button";
import { NavTab } from "@/components/ui/nav-tab";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import type { ThemeChoice } from "@/lib/theme";

const LINKS = [
  { href: "/webhooks", label: "Webhooks", section: "/webhooks" },
  { href: "/api-keys", label: "API keys", section: "/api-keys" },
  { href: "/docs/webhooks", label: "Docs", section: "/docs" },
];

export function Nav({ email, theme }: { email: string; theme: ThemeChoice }) {
  const pathname = usePathname();
  return (
    <header className="border-b border-slate-200 bg-surface">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/webhooks" className="font-semibold text-indigo-700">
          Akol Webhooks
        </Link>
        <nav aria-label="Main" className="order-last flex w-full gap-1 sm:order-none sm:w-auto sm:flex-1">
          {LINKS.map((l) => (
            <NavTab key={l.href} href={l.href} active={pathname === l.section || pathname.startsWith(`${l.section}/`)}>
              {l.label}
            </NavTab>
          ))}
        </nav>
        <span className="hidden text-sm text-slate-500 sm:inline" data-testid="current-user">
          {email}
        </span>
        <ThemeToggle initial={theme} />
        <Button variant="ghost" onClick={() => signOut({ callbackUrl: "/sign-in" })}>
          Sign out
        </Button>
      </div>
    </header>
  );
}
