/**
 * Standard 5-field cron (`minute hour day-of-month month day-of-week`) as
 * Inngest accepts it: `*`, lists, ranges, steps, month/day names, `?`, the
 * `@hourly`-style macros and an optional `TZ=Area/City ` prefix.
 */

export class CronError extends Error {
  override name = "CronError";
}

export type CronSchedule = {
  source: string;
  timeZone: string;
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  /** Both day fields restricted: a day matches when either matches (cron semantics). */
  dayOr: boolean;
};

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

function field(
  src: string,
  min: number,
  max: number,
  names: string[] | null,
  nameBase: number,
  what: string,
): Set<number> {
  const out = new Set<number>();
  const num = (s: string): number => {
    const upper = s.toUpperCase();
    if (names) {
      const i = names.indexOf(upper);
      if (i >= 0) return i + nameBase;
    }
    if (!/^\d+$/.test(s)) throw new CronError(`invalid ${what} "${s}"`);
    const n = Number(s);
    if (n < min || n > max) throw new CronError(`${what} ${n} out of range ${min}-${max}`);
    return n;
  };
  for (const part of src.split(",")) {
    if (!part) throw new CronError(`empty ${what} list item`);
    const [range, stepStr, extra] = part.split("/");
    if (extra !== undefined) throw new CronError(`invalid ${what} "${part}"`);
    const step = stepStr === undefined ? 1 : Number(stepStr);
    if (!Number.isInteger(step) || step < 1) throw new CronError(`invalid ${what} step "${part}"`);
    let lo: number;
    let hi: number;
    if (range === "*" || range === "?") {
      lo = min;
      hi = max;
    } else if (range!.includes("-")) {
      const [a, b] = range!.split("-");
      lo = num(a!);
      hi = num(b!);
      if (lo > hi) throw new CronError(`invalid ${what} range "${range}"`);
    } else {
      lo = num(range!);
      hi = stepStr === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(source: string): CronSchedule {
  let expr = source.trim();
  let timeZone = "UTC";
  const tz = /^(?:CRON_)?TZ=(\S+)\s+(.*)$/.exec(expr);
  if (tz) {
    timeZone = tz[1]!;
    expr = tz[2]!.trim();
    try {
      new Intl.DateTimeFormat("en-US", { timeZone });
    } catch {
      throw new CronError(`unknown time zone "${timeZone}" in cron "${source}"`);
    }
  }
  expr = MACROS[expr.toLowerCase()] ?? expr;
  const parts = expr.split(/\s+/);
  if (parts.length !== 5) throw new CronError(`cron "${source}" must have 5 fields (minute hour day month weekday)`);
  const [mi, h, dom, mon, dow] = parts as [string, string, string, string, string];
  const weekdays = field(dow, 0, 7, DAYS, 0, "weekday");
  if (weekdays.has(7)) {
    weekdays.delete(7);
    weekdays.add(0);
  }
  const schedule: CronSchedule = {
    source,
    timeZone,
    minutes: field(mi, 0, 59, null, 0, "minute"),
    hours: field(h, 0, 23, null, 0, "hour"),
    days: field(dom, 1, 31, null, 0, "day of month"),
    months: field(mon, 1, 12, MONTHS, 1, "month"),
    weekdays,
    dayOr: !/^[*?]/.test(dom) && !/^[*?]/.test(dow),
  };
  if (nextCronTime(schedule, Date.now()) === undefined) throw new CronError(`cron "${source}" never fires`);
  return schedule;
}

type Parts = { month: number; day: number; weekday: number; hour: number; minute: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsAt(ms: number, timeZone: string): Parts {
  if (timeZone === "UTC") {
    const d = new Date(ms);
    return {
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
    };
  }
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      month: "numeric",
      day: "numeric",
      weekday: "short",
      hour: "numeric",
      minute: "numeric",
    });
    formatters.set(timeZone, f);
  }
  const p: Parts = { month: 0, day: 0, weekday: 0, hour: 0, minute: 0 };
  for (const { type, value } of f.formatToParts(new Date(ms))) {
    if (type === "month") p.month = Number(value);
    else if (type === "day") p.day = Number(value);
    else if (type === "weekday") p.weekday = DAYS.indexOf(value.toUpperCase());
    else if (type === "hour") p.hour = Number(value);
    else if (type === "minute") p.minute = Number(value);
  }
  return p;
}

/** The first minute strictly after `afterMs` at which `s` fires, or undefined if none within ~5 years. */
export function nextCronTime(s: CronSchedule, afterMs: number): number | undefined {
  const MIN = 60_000;
  let t = Math.floor(afterMs / MIN) * MIN + MIN;
  for (let i = 0; i < 20_000; i++) {
    const p = partsAt(t, s.timeZone);
    const domOk = s.days.has(p.day);
    const dowOk = s.weekdays.has(p.weekday);
    const dayOk = s.months.has(p.month) && (s.dayOr ? domOk || dowOk : domOk && dowOk);
    if (!dayOk) {
      t += Math.max(1, 24 * 60 - (p.hour * 60 + p.minute)) * MIN;
      continue;
    }
    if (!s.hours.has(p.hour)) {
      t += Math.max(1, 60 - p.minute) * MIN;
      continue;
    }
    if (!s.minutes.has(p.minute)) {
      t += MIN;
      continue;
    }
    return t;
  }
  return undefined;
}
