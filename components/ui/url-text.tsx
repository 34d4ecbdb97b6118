import { Fragment } from "react";
import { urlParts } from "@/lib/client/format";

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
