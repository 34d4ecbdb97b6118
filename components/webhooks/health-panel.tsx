"use client";

import HealthChart from "@/components/charts/health-chart";
import { LoadError } from "@/components/ui/load-error";
import { useWebhookHealth } from "@/components/webhooks/api";
import { useHydrated } from "@/lib/client/use-hydrated";

const pct = (rate: number) => `${(rate * 100).toFixed(rate === 1 || rate === 0 ? 0 : 1)}%`;
const hour = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

/** Success rate and latency of the last 24 h: headline numbers, the chart, and the same data as a table. */
export function HealthPanel({ webhookId }: { webhookId: string }) {
  const health = useWebhookHealth(webhookId);
  const hydrated = useHydrated(); // the table's hours need the browser's time zone
  const t = health.data?.totals;
  const d = health.data?.deliveries;

  return (
    <section aria-labelledby="health-title" className="rounded-lg bg-surface p-4 shadow">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="health-title" className="text-lg font-semibold">
          Last 24 hours
        </h2>
        <p className="text-xs text-slate-600">
          Deliveries: how many events got through in the end. Attempts: every try, retries included.
        </p>
      </div>
      {health.isPending ? (
        <p className="mt-3 text-sm text-slate-500">Loading health…</p>
      ) : health.isError ? (
        <LoadError
          what="health"
          error={health.error}
          retrying={health.isFetching}
          onRetry={() => void health.refetch()}
          className="mt-3"
        />
      ) : t ? (
        <>
          <dl className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-4" data-testid="health-totals">
            <Stat
              label="Delivery success"
              testId="delivery-success"
              value={!d || d.successRate === null ? "–" : pct(d.successRate)}
              sub={d && d.settled > 0 ? `${d.succeeded} of ${d.settled} delivered` : "No finished deliveries"}
              tone={d && d.successRate !== null && d.successRate < 0.95 ? "bad" : "neutral"}
            />
            <Stat
              label="Attempt success"
              testId="attempt-success"
              value={t.successRate === null ? "–" : pct(t.successRate)}
              sub={
                t.total > 0
                  ? `${t.succeeded} of ${t.total} attempts${t.failed > 0 ? ", retries included" : ""}`
                  : "No attempts"
              }
            />
            <Stat label="p50 latency" value={t.p50Ms === null ? "–" : `${t.p50Ms} ms`} />
            <Stat label="p95 latency" value={t.p95Ms === null ? "–" : `${t.p95Ms} ms`} />
          </dl>
          {t.total === 0 ? (
            <p className="mt-4 text-sm text-slate-500">No delivery attempts in the last 24 hours.</p>
          ) : (
            <div className="mt-4">
              <HealthChart buckets={health.data.buckets} />
              <details className="mt-2 text-sm">
                <summary className="cursor-pointer text-slate-600">Show as a table</summary>
                <div className="mt-2 max-h-64 overflow-auto">
                  <table className="min-w-full text-xs">
                    <caption className="sr-only">Delivery attempts per hour, last 24 hours</caption>
                    <thead className="text-left text-slate-500">
                      <tr>
                        <th scope="col" className="px-2 py-1 font-medium">
                          Hour
                        </th>
                        <th scope="col" className="px-2 py-1 text-right font-medium">
                          Succeeded
                        </th>
                        <th scope="col" className="px-2 py-1 text-right font-medium">
                          Failed
                        </th>
                        <th scope="col" className="px-2 py-1 text-right font-medium">
                          p50
                        </th>
                        <th scope="col" className="px-2 py-1 text-right font-medium">
                          p95
                        </th>
                      </tr>
                    </thead>
                    <tbody className="tabular-nums">
                      {health.data.buckets
                        .filter((b) => b.total > 0)
                        .map((b) => (
                          <tr key={b.bucketStart}>
                            <th scope="row" className="px-2 py-1 text-left font-normal">
                              {hydrated ? hour(b.bucketStart) : b.bucketStart.slice(11, 16) + " UTC"}
                            </th>
                            <td className="px-2 py-1 text-right">{b.succeeded}</td>
                            <td className="px-2 py-1 text-right">{b.failed}</td>
                            <td className="px-2 py-1 text-right">{b.p50Ms ?? "–"} ms</td>
                            <td className="px-2 py-1 text-right">{b.p95Ms ?? "–"} ms</td>
                          </tr>
                        ))}
                    </tbody>
                  </table>
                </div>
              </details>
            </div>
          )}
        </>
      ) : null}
    </section>
  );
}

/**
 * One headline figure. Only delivery success can turn red (events that did not
 * get through); attempt success stays neutral, since failed attempts that a
 * retry recovered are expected.
 */
function Stat({
  label,
  value,
  sub,
  testId,
  tone = "neutral",
}: {
  label: string;
  value: string;
  sub?: string;
  testId?: string;
  tone?: "neutral" | "bad";
}) {
  return (
    <div className="rounded-md bg-slate-50 p-3" data-testid={testId}>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`text-lg font-semibold tabular-nums ${tone === "bad" ? "text-red-700" : "text-slate-900"}`}>
        {value}
      </dd>
      {sub ? <dd className="text-xs text-slate-500">{sub}</dd> : null}
    </div>
  );
}
