/**
 * A 24-bar activity sparkline (succeeded stacked under failed per hour), in
 * plain SVG: the list page stays free of the charting library's weight. The
 * numbers are given to assistive technology as the image's label.
 */

export type SparkBucket = { bucketStart: string; succeeded: number; failed: number };

export function Sparkline({
  buckets,
  width = 96,
  height = 24,
  label,
}: {
  buckets: SparkBucket[];
  width?: number;
  height?: number;
  label?: string;
}) {
  const max = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed));
  const total = buckets.reduce((n, b) => n + b.succeeded + b.failed, 0);
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const slot = width / Math.max(1, buckets.length);
  const bar = Math.max(1, slot - 1);
  const summary =
    label ??
    (total === 0
      ? "No delivery attempts in the last 24 hours"
      : `${total} attempt${total === 1 ? "" : "s"} in the last 24 hours, ${failed} failed (${Math.round(((total - failed) / total) * 100)}% succeeded)`);

  return (
    <svg
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={summary}
      className="block overflow-visible"
    >
      <title>{summary}</title>
      <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="stroke-slate-200" strokeWidth={1} />
      {buckets.map((b, i) => {
        const okH = (b.succeeded / max) * (height - 1);
        const badH = (b.failed / max) * (height - 1);
        const x = i * slot;
        return (
          <g key={b.bucketStart}>
            {okH > 0 ? <rect x={x} y={height - 1 - okH} width={bar} height={okH} className="fill-emerald-500" /> : null}
            {badH > 0 ? (
              <rect x={x} y={height - 1 - okH - badH} width={bar} height={badH} className="fill-red-500" />
            ) : null}
          </g>
        );
      })}
    </svg>
  );
}
