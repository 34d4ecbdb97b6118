/**
 * The one Retry-After parser (RFC 9110 §10.2.3), for receivers' answers and
 * the Inngest SDK's (RetryAfterError sends whole seconds or an ISO 8601
 * date): delta-seconds ("120") or a date, parsed by `Date.parse` once its
 * shape is known to be an HTTP-date (IMF-fixdate, RFC 850, asctime — always
 * GMT) or an ISO 8601 date with a zone. Returns seconds from `nowMs` (0 for
 * a date in the past), or undefined when absent or malformed. Not capped:
 * callers cap.
 */

const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC_850 = /^[A-Za-z]{6,9}, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  let at = NaN;
  if (IMF_FIXDATE.test(v) || RFC_850.test(v) || ISO_WITH_ZONE.test(v)) at = Date.parse(v);
  else if (ASCTIME.test(v)) at = Date.parse(`${v} GMT`); // asctime carries no zone; HTTP dates are GMT
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
