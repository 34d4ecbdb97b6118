import Link from "next/link";
import type { ReactNode } from "react";
import { CopyButton } from "@/components/ui/copy-button";

/** Building blocks of the docs pages: plain server components, Tailwind only. */

export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} className="mt-12 scroll-mt-6 border-t border-slate-200 pt-8 first:mt-8">
      <h2 className="text-xl font-semibold tracking-tight text-slate-900">{title}</h2>
      <div className="mt-4 space-y-4">{children}</div>
    </section>
  );
}

export function H3({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <h3 id={id} className="scroll-mt-6 pt-4 text-base font-semibold text-slate-900">
      {children}
    </h3>
  );
}

export function P({ children }: { children: ReactNode }) {
  return <p className="text-[15px] leading-7 text-slate-700">{children}</p>;
}

export function C({ children }: { children: ReactNode }) {
  return (
    <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em] break-words text-slate-800">
      {children}
    </code>
  );
}

export function List({ children, ordered = false }: { children: ReactNode; ordered?: boolean }) {
  const cls = `space-y-2 pl-6 text-[15px] leading-7 text-slate-700 ${ordered ? "list-decimal" : "list-disc"} marker:text-slate-400`;
  return ordered ? <ol className={cls}>{children}</ol> : <ul className={cls}>{children}</ul>;
}

const LINK =
  "font-medium text-indigo-700 underline decoration-indigo-300 underline-offset-2 hover:decoration-indigo-700";

/** A link in running text: app pages through next/link, in-page anchors and API documents as plain links, other sites in a new tab. */
export function A({ href, children }: { href: string; children: ReactNode }) {
  if (/^https?:\/\//.test(href)) {
    return (
      <a href={href} className={LINK} target="_blank" rel="noreferrer">
        {children}
        <span className="sr-only"> (opens in a new tab)</span>
      </a>
    );
  }
  if (href.startsWith("/") && !href.startsWith("/api/")) {
    return (
      <Link href={href} className={LINK}>
        {children}
      </Link>
    );
  }
  return (
    <a href={href} className={LINK}>
      {children}
    </a>
  );
}

export function Callout({
  tone = "info",
  title,
  children,
}: {
  tone?: "info" | "warning";
  title: string;
  children: ReactNode;
}) {
  const styles =
    tone === "warning"
      ? "border-amber-400 bg-amber-50 text-amber-950"
      : "border-indigo-400 bg-indigo-50 text-indigo-950";
  return (
    <div role="note" className={`rounded-md border-l-4 p-4 text-sm leading-6 ${styles}`}>
      <p className="font-semibold">{title}</p>
      <div className="mt-1 space-y-2">{children}</div>
    </div>
  );
}

/** A code block with a caption and a copy button (no syntax highlighting, no client JS but the button). */
export function CodeBlock({ code, caption, copyLabel }: { code: string; caption: string; copyLabel: string }) {
  return (
    <figure className="overflow-hidden rounded-lg bg-code shadow">
      <figcaption className="flex items-center justify-between gap-3 border-b border-code-border py-1.5 pr-1.5 pl-4">
        <span className="truncate font-mono text-xs text-code-muted">{caption}</span>
        <CopyButton value={code} label={copyLabel} />
      </figcaption>
      <pre
        tabIndex={0}
        className="overflow-x-auto p-4 font-mono text-[13px] leading-relaxed [tab-size:4] text-code-text"
      >
        <code>{code.replace(/\n$/, "")}</code>
      </pre>
    </figure>
  );
}

export type Row = { key: string; cells: ReactNode[] };

/** Shown under a row's first cell on phones only, standing in for columns hidden there (`hideOnPhone`). */
export function PhoneOnly({ children }: { children: ReactNode }) {
  return (
    <span className="mt-1 block text-xs leading-5 font-normal break-words text-slate-500 sm:hidden">{children}</span>
  );
}

/** Copies column `col` of each row under its first cell, for phones (pair with `hideOnPhone={[col]}`). */
export function withPhoneColumn(rows: Row[], col: number): Row[] {
  return rows.map((r) => ({
    key: r.key,
    cells: r.cells.map((cell, i) =>
      i === 0 ? (
        <>
          {cell}
          <PhoneOnly>{r.cells[col]}</PhoneOnly>
        </>
      ) : (
        cell
      ),
    ),
  }));
}

/**
 * A table whose first column heads its rows. On phones, the columns listed in
 * `hideOnPhone` are hidden (put their content in a PhoneOnly under the first
 * cell) and the rest scrolls sideways if it must.
 */
export function DocTable({
  caption,
  columns,
  rows,
  hideOnPhone = [],
  hideCaption = false,
}: {
  caption: string;
  columns: string[];
  rows: Row[];
  hideOnPhone?: number[];
  hideCaption?: boolean;
}) {
  const visibility = (i: number) => (hideOnPhone.includes(i) ? "hidden sm:table-cell" : "");
  return (
    <div
      className="relative overflow-x-auto rounded-lg bg-surface shadow"
      tabIndex={0}
      role="group"
      aria-label={caption}
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className={hideCaption ? "sr-only" : "px-4 pt-3 pb-1 text-left text-sm font-medium text-slate-700"}>
          {caption}
        </caption>
        <thead className="bg-slate-50 text-left text-slate-600">
          <tr>
            {columns.map((c, i) => (
              <th key={c} scope="col" className={`px-4 py-2 font-medium whitespace-nowrap ${visibility(i)}`}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((r) => (
            <tr key={r.key} className="align-top">
              {r.cells.map((cell, i) =>
                i === 0 ? (
                  <th key={i} scope="row" className="px-4 py-2 text-left font-medium text-slate-900">
                    {cell}
                  </th>
                ) : (
                  <td key={i} className={`px-4 py-2 leading-6 text-slate-700 ${visibility(i)}`}>
                    {cell}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
