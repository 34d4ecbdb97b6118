"use client";

import { exactTime, relativeTime } from "@/lib/client/format";
import { useHydrated } from "@/lib/client/use-hydrated";

/**
 * "3 minutes ago", with the exact local time as its tooltip. Rendered on the
 * server too: the relative text may differ by a second from the browser's
 * (suppressHydrationWarning; the next render corrects it), and the exact time,
 * which needs the browser's time zone, is added once hydrated.
 */
export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const hydrated = useHydrated();
  return (
    <time dateTime={iso} title={hydrated ? exactTime(iso) : undefined} className={className} suppressHydrationWarning>
      {relativeTime(iso)}
    </time>
  );
}
