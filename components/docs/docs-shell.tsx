import type { ReactNode } from "react";
import { NavTab } from "@/components/ui/nav-tab";
import { OPENAPI_PATH } from "@/lib/docs/facts";

export type TocItem = { id: string; title: string };

const PAGES = [
  { href: "/docs/webhooks", label: "Webhook protocol" },
  { href: "/docs/events", label: "Event catalog" },
] as const;

export type DocsPage = (typeof PAGES)[number]["href"];

function Toc({ items }: { items: TocItem[] }) {
  return (
    <ul className="space-y-1 text-sm">
      {items.map((t) => (
        <li key={t.id}>
          <a
            href={`#${t.id}`}
            className="block rounded px-2 py-1 text-slate-600 hover:bg-slate-100 hover:text-slate-900"
          >
            {t.title}
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The docs frame: a sub-nav between the docs pages, the page's heading, its table of contents, and the page. */
export function DocsShell({
  current,
  title,
  intro,
  toc,
  children,
}: {
  current: DocsPage;
  title: string;
  intro: ReactNode;
  toc: TocItem[];
  children: ReactNode;
}) {
  return (
    <div>
      <nav
        aria-label="Documentation"
        className="flex flex-wrap items-center gap-x-1 gap-y-2 border-b border-slate-200 pb-3"
      >
        {PAGES.map((p) => (
          <NavTab key={p.href} href={p.href} active={p.href === current}>
            {p.label}
          </NavTab>
        ))}
        <a href={OPENAPI_PATH} className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100 sm:ml-auto">
          OpenAPI&nbsp;3.1 <span className="text-slate-500">(JSON)</span>
        </a>
      </nav>

      <div className="mt-6 lg:grid lg:grid-cols-[minmax(0,1fr)_13rem] lg:gap-10">
        <article className="max-w-3xl min-w-0">
          <header>
            <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">{title}</h1>
            <p className="mt-2 text-base leading-7 text-slate-600">{intro}</p>
          </header>
          <details className="mt-6 rounded-lg bg-surface p-3 shadow lg:hidden">
            <summary className="cursor-pointer text-sm font-medium text-slate-700">On this page</summary>
            <nav aria-label="On this page" className="mt-2">
              <Toc items={toc} />
            </nav>
          </details>
          {children}
        </article>
        <aside className="hidden lg:block">
          <nav aria-label="On this page" className="sticky top-6">
            <p className="px-2 text-xs font-semibold tracking-wide text-slate-500 uppercase">On this page</p>
            <div className="mt-2">
              <Toc items={toc} />
            </div>
          </nav>
        </aside>
      </div>
    </div>
  );
}
