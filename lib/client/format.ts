/** Small display helpers shared by the dashboard's pages. */

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "Never";
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") return rtf.format(Math.round(seconds / size), unit);
  }
  return iso;
}

export function exactTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" }) : "";
}

/**
 * Splits a URL after `/`, `?` and `&` (never inside `://`), the only places it
 * may wrap.
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
