import { Fragment } from "react";

/**
 * Splits a URL after `/`, `?` and `&` (never inside `://`), the only places it
 * may wrap. Exported for tests.
 */
export function urlParts(url: string): string[] {
  const parts: string[] = [];
  let current = "";
  for (let i = 0; i < url.length; i++) {
    const ch = url[i]!;
    current += ch;
    const inScheme = ch === "/" && (url[i + 1] === "/" || url.slice(i - 2, i) === ":/");
    if ((ch === "/" || ch === "?" || ch === "&") && !inScheme) {
      parts.push(current);
      current = "";
    }
  }
  if (current) parts.push(current);
  return parts;
}

/**
 * A URL that wraps only after `/`, `?` or `&` (a segment longer than the whole
 * line is the one exception: it breaks rather than overflow). The full URL is
 * its tooltip.
 */
export function UrlText({ url, className = "" }: { url: string; className?: string }) {
  return (
    <span title={url} className={`[overflow-wrap:break-word] [word-break:normal] ${className}`}>
      {urlParts(url).map((p, i) => (
        <Fragment key={i}>
          {i > 0 ? <wbr /> : null}
          {p}
        </Fragment>
      ))}
    </span>
  );
}
