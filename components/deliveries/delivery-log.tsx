"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { DeliveryDetails } from "@/components/deliveries/delivery-details";
import { Button } from "@/components/ui/button";
import { LoadError } from "@/components/ui/load-error";
import { RelativeTime } from "@/components/ui/relative-time";
import {
  insertNewDelivery,
  keys,
  useDeliveries,
  useDelivery,
  useEventTypes,
  webhookPath,
  type DeliveryFilters,
  type DeliveryView,
  type StatusFilter,
} from "@/components/webhooks/api";
import { parseFilters } from "@/components/webhooks/query-keys";
import { DeliveryStatusBadge, KindBadge } from "@/components/webhooks/badges";
import { apiFetch, ApiClientError } from "@/lib/client/fetcher";

const STATUS_OPTIONS: { value: StatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "succeeded", label: "Succeeded" },
  { value: "failed", label: "Failed" },
];

/**
 * The log's filters live in the URL (`?status=failed&event=call.ended&page=2`),
 * so a filtered view can be shared. Changes are written with
 * history.replaceState (Next.js syncs useSearchParams with it; no server
 * round trip) and shown at once from local state until the URL catches up.
 */
export function useLogFilters(): [DeliveryFilters, (next: Partial<DeliveryFilters>) => void] {
  const params = useSearchParams();
  const pathname = usePathname();
  const urlKey = params.toString();
  const [optimistic, setOptimistic] = useState<{ forUrl: string; filters: DeliveryFilters } | null>(null);
  const filters =
    optimistic && optimistic.forUrl === urlKey ? optimistic.filters : parseFilters(new URLSearchParams(urlKey));

  const update = (next: Partial<DeliveryFilters>) => {
    const merged = { ...filters, ...next };
    // a new filter starts at the first page
    if (next.status !== undefined || next.eventType !== undefined) merged.page = next.page ?? 1;
    const q = new URLSearchParams(urlKey);
    if (merged.status === "all") q.delete("status");
    else q.set("status", merged.status);
    if (merged.eventType) q.set("event", merged.eventType);
    else q.delete("event");
    if (merged.page > 1) q.set("page", String(merged.page));
    else q.delete("page");
    const qs = q.toString();
    // shown at once; dropped as soon as useSearchParams reports the new URL (then both agree)
    setOptimistic({ forUrl: urlKey, filters: merged });
    window.history.replaceState(null, "", qs ? `${pathname}?${qs}` : pathname);
  };
  return [filters, update];
}

export function DeliveryLog({ webhookId, canReplay }: { webhookId: string; canReplay: boolean }) {
  const qc = useQueryClient();
  const [filters, setFilters] = useLogFilters();
  const deliveries = useDeliveries(webhookId, filters);
  const [announce, setAnnounce] = useState("");
  const headingId = useId();

  // When an in-flight delivery settles, the webhook's counters and health change too.
  const pendingBefore = useRef<Set<string>>(new Set());
  useEffect(() => {
    const rows = deliveries.data?.data;
    if (!rows) return;
    const pendingNow = new Set(rows.filter((d) => d.status === "pending").map((d) => d.id));
    const settled = rows.filter((d) => pendingBefore.current.has(d.id) && d.status !== "pending");
    pendingBefore.current = pendingNow;
    if (settled.length > 0) {
      void qc.invalidateQueries({ queryKey: keys.webhook(webhookId) });
      void qc.invalidateQueries({ queryKey: keys.stats(webhookId) });
      void qc.invalidateQueries({ queryKey: keys.list });
      setAnnounce(
        settled
          .map((d) => `${d.eventType} delivery ${d.status}${d.statusCode ? ` (HTTP ${d.statusCode})` : ""}`)
          .join(". "),
      );
    }
  }, [deliveries.data, qc, webhookId]);

  const data = deliveries.data;

  return (
    <section aria-labelledby={headingId} className="rounded-lg bg-surface shadow">
      <div className="flex flex-wrap items-end justify-between gap-4 border-b border-slate-200 p-4">
        <div>
          <h2 id={headingId} className="text-lg font-semibold">
            Delivery log
          </h2>
          <p className="text-sm text-slate-500">
            Newest first. Expand a row to see the payload, the response and every attempt.
          </p>
        </div>
        <LogFilters idPrefix={headingId} filters={filters} onChange={setFilters} />
      </div>

      <p role="status" aria-live="polite" className="sr-only">
        {announce}
      </p>

      {deliveries.isPending ? (
        <p className="p-6 text-sm text-slate-500">Loading deliveries…</p>
      ) : deliveries.isError ? (
        <LoadError
          what="deliveries"
          error={deliveries.error}
          retrying={deliveries.isFetching}
          onRetry={() => void deliveries.refetch()}
        />
      ) : data && data.data.length === 0 ? (
        <div className="p-6 text-sm text-slate-500" data-testid="deliveries-empty">
          {filters.page > 1 && data.pagination.total > 0 ? (
            <>
              Nothing on page {filters.page}.{" "}
              <button
                type="button"
                className="font-medium text-indigo-700 underline"
                onClick={() => setFilters({ page: 1 })}
              >
                Go to the first page
              </button>
            </>
          ) : filters.status === "all" && !filters.eventType ? (
            "No deliveries yet. Send a test event to see one here."
          ) : (
            "No deliveries match these filters."
          )}
        </div>
      ) : data ? (
        <>
          <ul
            className={`divide-y divide-slate-100 ${deliveries.isPlaceholderData ? "opacity-60" : ""}`}
            aria-busy={deliveries.isFetching && deliveries.isPlaceholderData}
          >
            {data.data.map((d) => (
              <DeliveryRow key={d.id} d={d} webhookId={webhookId} canReplay={canReplay} onAnnounce={setAnnounce} />
            ))}
          </ul>
          <nav
            aria-label="Delivery log pages"
            className="flex flex-wrap items-center justify-between gap-2 border-t border-slate-200 p-4 text-sm"
          >
            <span className="text-slate-600">
              Page {data.pagination.page} of {Math.max(1, data.pagination.totalPages)} · {data.pagination.total} deliver
              {data.pagination.total === 1 ? "y" : "ies"}
            </span>
            <div className="flex gap-2">
              <Button
                variant="secondary"
                disabled={filters.page <= 1}
                onClick={() => setFilters({ page: filters.page - 1 })}
              >
                Newer
              </Button>
              <Button
                variant="secondary"
                disabled={filters.page >= data.pagination.totalPages}
                onClick={() => setFilters({ page: filters.page + 1 })}
              >
                Older
              </Button>
            </div>
          </nav>
        </>
      ) : null}
    </section>
  );
}

function DeliveryRow({
  d,
  webhookId,
  canReplay,
  onAnnounce,
}: {
  d: DeliveryView;
  webhookId: string;
  canReplay: boolean;
  onAnnounce: (m: string) => void;
}) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [replayId, setReplayId] = useState<string | null>(null);
  const [replayError, setReplayError] = useState<string | null>(null);
  const panelId = useId();
  const replayed = useDelivery(webhookId, replayId);

  const replay = useMutation({
    mutationFn: () =>
      apiFetch<DeliveryView>(`${webhookPath(webhookId)}/deliveries/${encodeURIComponent(d.id)}/replay`, {
        method: "POST",
      }),
    onMutate: () => {
      setReplayError(null);
      onAnnounce(`Replaying ${d.eventType}…`);
    },
    onSuccess: (created) => {
      setReplayId(created.id);
      qc.setQueryData(keys.delivery(webhookId, created.id), created);
      insertNewDelivery(qc, webhookId, created);
      void qc.invalidateQueries({ queryKey: keys.deliveries(webhookId) });
      onAnnounce(`Replay of ${d.eventType} queued.`);
    },
    onError: (err) => {
      const message = err instanceof ApiClientError ? err.message : "Could not replay: check your connection.";
      setReplayError(message);
      onAnnounce(`Replay failed: ${message}`);
    },
  });

  // announce the replay's outcome once it settles
  const replayStatus = replayed.data?.status;
  const lastAnnounced = useRef<string | null>(null);
  useEffect(() => {
    if (!replayed.data || replayStatus === "pending" || lastAnnounced.current === replayed.data.id) return;
    lastAnnounced.current = replayed.data.id;
    onAnnounce(`Replay ${replayStatus}${replayed.data.statusCode ? ` (HTTP ${replayed.data.statusCode})` : ""}.`);
    void qc.invalidateQueries({ queryKey: keys.deliveries(webhookId) });
    void qc.invalidateQueries({ queryKey: keys.webhook(webhookId) });
    void qc.invalidateQueries({ queryKey: keys.stats(webhookId) });
  }, [replayed.data, replayStatus, onAnnounce, qc, webhookId]);

  const attempts = d.attempts.length;
  const showReplay = canReplay && d.status !== "pending"; // any settled delivery: succeeded, failed or cancelled

  return (
    <li data-testid="delivery-row" data-delivery-id={d.id} data-status={d.status} data-kind={d.kind}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2 px-4 py-3">
        <button
          type="button"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((o) => !o)}
          className="flex min-w-0 flex-1 flex-wrap items-center gap-x-3 gap-y-1 rounded text-left"
        >
          <span aria-hidden className={`inline-block text-slate-400 transition ${open ? "rotate-90" : ""}`}>
            ▸
          </span>
          <DeliveryStatusBadge status={d.status} />
          <span className="font-mono text-sm text-slate-900">{d.eventType}</span>
          <KindBadge kind={d.kind} />
          <span className="text-sm text-slate-600 tabular-nums">
            {d.statusCode !== null ? (
              <span data-testid="delivery-status-code">HTTP {d.statusCode}</span>
            ) : d.error && d.status !== "pending" ? (
              "No response"
            ) : null}
            {d.durationMs !== null ? <span className="text-slate-500"> · {d.durationMs} ms</span> : null}
            {attempts > 1 ? <span className="text-slate-500"> · {attempts} attempts</span> : null}
          </span>
          <RelativeTime iso={d.createdAt} className="ml-auto text-xs whitespace-nowrap text-slate-600" />
          <span className="sr-only">{open ? "Hide details" : "Show details"}</span>
        </button>
        {showReplay ? (
          <div className="flex items-center gap-2">
            <Button
              variant="secondary"
              disabled={replay.isPending}
              onClick={() => replay.mutate()}
              aria-label={`Replay ${d.eventType} delivery`}
            >
              {replay.isPending ? "Replaying…" : replayId ? "Replay again" : "Replay"}
            </Button>
          </div>
        ) : null}
      </div>
      {replayId || replayError ? (
        <p className="px-4 pb-3 text-sm" data-testid="replay-result">
          {replayError ? (
            <span className="text-red-700">Replay failed: {replayError}</span>
          ) : replayed.data ? (
            <span className="inline-flex flex-wrap items-center gap-2">
              <span className="text-slate-600">Replay</span>
              <DeliveryStatusBadge status={replayed.data.status} />
              {replayed.data.statusCode !== null ? (
                <span className="text-slate-600">HTTP {replayed.data.statusCode}</span>
              ) : null}
              {replayed.data.error && replayed.data.status !== "pending" ? (
                <span className="text-red-700">{replayed.data.error}</span>
              ) : null}
            </span>
          ) : (
            <span className="text-slate-600">Replay queued…</span>
          )}
        </p>
      ) : null}
      <div id={panelId} hidden={!open} className="border-t border-slate-100 bg-slate-50/60 px-4 py-4">
        {open ? <DeliveryDetails d={d} /> : null}
      </div>
    </li>
  );
}

/** Status (radio group) and event type filters of the log. */
function LogFilters({
  idPrefix,
  filters,
  onChange,
}: {
  idPrefix: string;
  filters: DeliveryFilters;
  onChange: (next: Partial<DeliveryFilters>) => void;
}) {
  const catalog = useEventTypes();
  return (
    <div className="flex flex-wrap items-end gap-4">
      <fieldset>
        <legend className="mb-1 text-xs font-medium text-slate-600">Status</legend>
        <div className="inline-flex rounded-md shadow-sm ring-1 ring-slate-300 ring-inset">
          {STATUS_OPTIONS.map((o, i) => (
            <label
              key={o.value}
              className={`relative cursor-pointer px-3 py-1.5 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600 ${i > 0 ? "border-l border-slate-300" : ""} ${filters.status === o.value ? "bg-indigo-600 text-white" : "bg-surface text-slate-700 hover:bg-slate-50"} ${i === 0 ? "rounded-l-md" : ""} ${i === STATUS_OPTIONS.length - 1 ? "rounded-r-md" : ""}`}
            >
              <input
                type="radio"
                name={`${idPrefix}-status`}
                value={o.value}
                checked={filters.status === o.value}
                onChange={() => onChange({ status: o.value })}
                className="absolute inset-0 h-full w-full cursor-pointer appearance-none opacity-0"
              />
              {o.label}
            </label>
          ))}
        </div>
      </fieldset>
      <div>
        <label htmlFor={`${idPrefix}-event`} className="mb-1 block text-xs font-medium text-slate-600">
          Event type
        </label>
        <select
          id={`${idPrefix}-event`}
          value={filters.eventType ?? ""}
          onChange={(e) => onChange({ eventType: e.currentTarget.value || null })}
          className="rounded-md border border-slate-300 bg-surface px-2 py-1.5 text-sm shadow-sm"
        >
          <option value="">All event types</option>
          {(catalog.data ?? []).map((e) => (
            <option key={e.type} value={e.type}>
              {e.type}
            </option>
          ))}
          {filters.eventType && !catalog.data?.some((e) => e.type === filters.eventType) ? (
            <option value={filters.eventType}>{filters.eventType}</option>
          ) : null}
        </select>
      </div>
    </div>
  );
}
