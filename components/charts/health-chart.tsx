"use client";

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HealthBucket } from "@/lib/delivery/stats";

/**
 * 24 hourly buckets: succeeded and failed attempts as stacked bars (left
 * axis) and p50 / p95 latency as lines (right axis, ms). Loaded on demand
 * (next/dynamic) so the charting library stays out of the first load.
 */

const hourLabel = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

export default function HealthChart({ buckets }: { buckets: HealthBucket[] }) {
  const data = buckets.map((b) => ({ ...b, label: hourLabel(b.bucketStart) }));
  return (
    <div className="h-56 w-full text-slate-500" aria-hidden>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.3} vertical={false} />
          <XAxis
            dataKey="label"
            tick={{ fontSize: 11, fill: "currentColor" }}
            interval="preserveStartEnd"
            minTickGap={24}
          />
          <YAxis yAxisId="count" allowDecimals={false} tick={{ fontSize: 11, fill: "currentColor" }} width={40} />
          <YAxis
            yAxisId="ms"
            orientation="right"
            tick={{ fontSize: 11, fill: "currentColor" }}
            width={52}
            tickFormatter={(v: number) => `${v}ms`}
          />
          <Tooltip
            labelStyle={{ color: "var(--color-slate-900)" }}
            contentStyle={{
              fontSize: 12,
              borderRadius: 6,
              background: "var(--color-surface)",
              borderColor: "var(--color-slate-200)",
            }}
            formatter={(value, name) =>
              name === "p50" || name === "p95"
                ? [value === null || value === undefined ? "–" : `${String(value)} ms`, name]
                : [value, name]
            }
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar
            yAxisId="count"
            dataKey="succeeded"
            name="Succeeded"
            stackId="a"
            fill="#10b981"
            isAnimationActive={false}
          />
          <Bar yAxisId="count" dataKey="failed" name="Failed" stackId="a" fill="#ef4444" isAnimationActive={false} />
          <Line
            yAxisId="ms"
            dataKey="p50Ms"
            name="p50"
            stroke="#6366f1"
            dot={{ r: 2 }}
            connectNulls
            isAnimationActive={false}
          />
          <Line
            yAxisId="ms"
            dataKey="p95Ms"
            name="p95"
            stroke="#f59e0b"
            dot={{ r: 2 }}
            connectNulls
            strokeDasharray="4 2"
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
