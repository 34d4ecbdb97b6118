"use client";

import type { HealthBucket } from "@/lib/delivery/stats";
import { useHydrated } from "@/lib/client/use-hydrated";

/**
 * 24 hourly buckets: succeeded and failed attempts as stacked bars (left
 * axis) and p50 / p95 latency as lines (right axis, ms). Hand-written (CSS
 * bars, one SVG for the lines): no charting library, rendered on the server
 * at its final size. For assistive technology it is one image whose label
 * sums it up; the panel's "Show as a table" has every figure.
 */

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

/** A round axis maximum (1, 2, 5 × 10^n) at or above `max`. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

export function chartSummary(buckets: HealthBucket[]): string {
  const succeeded = buckets.reduce((n, b) => n + b.succeeded, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const p95 = Math.max(0, ...buckets.map((b) => b.p95Ms ?? 0));
  const busiest = buckets.reduce((a, b) => (b.total > a.total ? b : a), buckets[0]!);
  return (
    `Attempts per hour over the last 24 hours: ${succeeded} succeeded, ${failed} failed` +
    (busiest && busiest.total > 0 ? `, at most ${busiest.total} in one hour` : "") +
    (p95 > 0 ? `; hourly p95 latency up to ${p95} ms` : "") +
    ". Every figure is in the table below."
  );
}

/** Points of a latency line in a 0..n × 0..100 box (y down); null hours are skipped, as connectNulls would. */
function linePoints(values: (number | null)[], max: number): string {
  return values
    .map((v, i) => (v === null ? null : `${i + 0.5},${(100 - (v / max) * 100).toFixed(2)}`))
    .filter((p): p is string => p !== null)
    .join(" ");
}

export default function HealthChart({ buckets }: { buckets: HealthBucket[] }) {
  const hydrated = useHydrated();
  const countMax = niceMax(Math.max(0, ...buckets.map((b) => b.succeeded + b.failed)));
  const msMax = niceMax(Math.max(0, ...buckets.map((b) => Math.max(b.p50Ms ?? 0, b.p95Ms ?? 0))));
  const n = Math.max(1, buckets.length);
  const ticks = [1, 0.5, 0];
  const labelled = [0, Math.floor(n / 2), n - 1];

  return (
    <figure className="w-full" data-testid="health-chart">
      <div
        className="flex h-48 gap-1.5 text-[11px] text-slate-600 tabular-nums"
        role="img"
        aria-label={chartSummary(buckets)}
      >
        <div className="flex w-8 flex-col justify-between text-right" aria-hidden>
          {ticks.map((t) => (
            <span key={t} className="-my-1.5 leading-3">
              {Math.round(countMax * t)}
            </span>
          ))}
        </div>
        <div className="relative flex-1 border-b border-l border-slate-300" aria-hidden>
          {ticks.slice(0, 2).map((t) => (
            <div
              key={t}
              className="absolute inset-x-0 border-t border-dashed border-slate-200"
              style={{ top: `${(1 - t) * 100}%` }}
            />
          ))}
          <div className="absolute inset-0 flex items-end gap-px px-px">
            {buckets.map((b) => (
              <div
                key={b.bucketStart}
                className="flex h-full flex-1 flex-col-reverse"
                title={
                  hydrated
                    ? `${hourLabel(b.bucketStart)}: ${b.succeeded} succeeded, ${b.failed} failed` +
                      (b.p50Ms === null ? "" : `, p50 ${b.p50Ms} ms, p95 ${b.p95Ms ?? "–"} ms`)
                    : undefined
                }
              >
                <div className="bg-emerald-500" style={{ height: `${(b.succeeded / countMax) * 100}%` }} />
                <div className="bg-red-500" style={{ height: `${(b.failed / countMax) * 100}%` }} />
              </div>
            ))}
          </div>
          <svg
            className="pointer-events-none absolute inset-0 h-full w-full overflow-visible"
            viewBox={`0 0 ${n} 100`}
            preserveAspectRatio="none"
            focusable="false"
          >
            <polyline
              points={linePoints(
                buckets.map((b) => b.p50Ms),
                msMax,
              )}
              fill="none"
              stroke="#6366f1"
              strokeWidth={2}
              vectorEffect="non-scaling-stroke"
            />
            <polyline
              points={linePoints(
                buckets.map((b) => b.p95Ms),
                msMax,
              )}
              fill="none"
              stroke="#f59e0b"
              strokeWidth={2}
              strokeDasharray="4 2"
              vectorEffect="non-scaling-stroke"
            />
          </svg>
        </div>
        <div className="flex w-12 flex-col justify-between" aria-hidden>
          {ticks.map((t) => (
            <span key={t} className="-my-1.5 leading-3">
              {Math.round(msMax * t)} ms
            </span>
          ))}
        </div>
      </div>
      <div className="mr-[3.375rem] ml-[2.375rem] flex h-4 justify-between text-[11px] text-slate-600" aria-hidden>
        {labelled.map((i) => (
          <span key={i}>{hydrated && buckets[i] ? hourLabel(buckets[i].bucketStart) : ""}</span>
        ))}
      </div>
      <figcaption className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
        <span className="inline-flex items-center gap-1.5">
          <span aria-hidden className="h-2.5 w-2.5 rounded-sm bg-emerald-500" /> Succeeded attempts
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span aria-hidden className="h-2.5 w-2.5 rounded-sm bg-red-500" /> Failed attempts
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span aria-hidden className="h-0.5 w-4 bg-indigo-500" /> p50 latency
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span aria-hidden className="h-0.5 w-4 border-t-2 border-dashed border-amber-500" /> p95 latency
        </span>
      </figcaption>
    </figure>
  );
}
