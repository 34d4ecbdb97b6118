"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { Button } from "@/components/ui/button";

const LINKS = [
  { href: "/webhooks", label: "Webhooks", section: "/webhooks" },
  { href: "/api-keys", label: "API keys", section: "/api-keys" },
  { href: "/docs/webhooks", label: "Docs", section: "/docs" },
];

export function Nav({ email }: { email: string }) {
  const pathname = usePathname();
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
        <Link href="/webhooks" className="font-semibold text-indigo-700">
          Akol Webhooks
        </Link>
        <nav aria-label="Main" className="flex flex-1 gap-1">
          {LINKS.map((l) => {
            const active = pathname === l.section || pathname.startsWith(`${l.section}/`);
            return (
              <Link
                key={l.href}
                href={l.href}
                aria-current={active ? "page" : undefined}
                className={`rounded-md px-3 py-1.5 text-sm ${active ? "bg-indigo-50 font-medium text-indigo-700" : "text-slate-600 hover:bg-slate-100"}`}
              >
                {l.label}
              </Link>
            );
          })}
        </nav>
        <span className="hidden text-sm text-slate-500 sm:inline" data-testid="current-user">
          {email}
        </span>
        <Button variant="ghost" onClick={() => signOut({ callbackUrl: "/sign-in" })}>
          Sign out
        </Button>
      </div>
    </header>
  );
}
