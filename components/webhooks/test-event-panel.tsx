"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useLogFilters } from "@/components/deliveries/delivery-log";
import { Button } from "@/components/ui/button";
import {
  insertNewDelivery,
  keys,
  useEventTypes,
  webhookPath,
  type DeliveryView,
  type WebhookView,
} from "@/components/webhooks/api";
import { apiFetch, ApiClientError, NETWORK_ERROR_MESSAGE } from "@/lib/client/fetcher";

/** "Send a test event": the catalog's example of any type, signed like a real delivery. */
export function TestEventPanel({ w, onAnnounce }: { w: WebhookView; onAnnounce: (m: string) => void }) {
  const qc = useQueryClient();
  const catalog = useEventTypes();
  const [filters, setFilters] = useLogFilters();
  const [type, setType] = useState<string>(w.events[0] ?? "");
  const [result, setResult] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const chosen = type || catalog.data?.[0]?.type || "";

  const send = useMutation({
    mutationFn: (event: string) =>
      apiFetch<DeliveryView>(`${webhookPath(w.id)}/test`, { method: "POST", body: { event } }),
    onMutate: () => setResult(null),
    onSuccess: (created) => {
      insertNewDelivery(qc, w.id, created);
      void qc.invalidateQueries({ queryKey: keys.deliveries(w.id) });
      const hidden =
        filters.status !== "all" ||
        (filters.eventType !== null && filters.eventType !== created.eventType) ||
        filters.page !== 1;
      const text = `Test ${created.eventType} sent${hidden ? ": it is hidden by the log's filters" : ": watch it in the delivery log below"}.`;
      setResult({ tone: "ok", text });
      onAnnounce(text);
    },
    onError: (err) => {
      const text = err instanceof ApiClientError ? err.message : NETWORK_ERROR_MESSAGE;
      setResult({ tone: "error", text });
      onAnnounce(`Test event failed: ${text}`);
    },
  });

  return (
    <section aria-labelledby="test-title" className="rounded-lg bg-surface p-4 shadow">
      <h2 id="test-title" className="text-lg font-semibold">
        Send a test event
      </h2>
      <p className="mt-1 text-sm text-slate-500">
        The catalog&apos;s example payload, signed like any delivery and marked &quot;test&quot;: true.
      </p>
      <form
        className="mt-3 space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen) send.mutate(chosen);
        }}
      >
        <div>
          <label htmlFor="test-event-type" className="mb-1 block text-sm font-medium text-slate-700">
            Event to send
          </label>
          <select
            id="test-event-type"
            value={chosen}
            onChange={(e) => setType(e.currentTarget.value)}
            className="block w-full rounded-md border border-slate-300 bg-surface px-2 py-2 text-sm shadow-sm"
          >
            {(catalog.data ?? w.events.map((t) => ({ type: t }))).map((e) => (
              <option key={e.type} value={e.type}>
                {e.type}
                {w.events.includes(e.type) ? "" : " (not subscribed)"}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" disabled={send.isPending || !chosen} className="w-full">
          {send.isPending ? "Sending…" : "Send test event"}
        </Button>
      </form>
      {result ? (
        <div
          className={`mt-3 text-sm ${result.tone === "ok" ? "text-emerald-700" : "text-red-700"}`}
          role={result.tone === "error" ? "alert" : undefined}
        >
          {result.text}
          {result.tone === "ok" && (filters.status !== "all" || filters.eventType !== null || filters.page !== 1) ? (
            <button
              type="button"
              className="ml-1 font-medium text-indigo-700 underline"
              onClick={() => setFilters({ status: "all", eventType: null, page: 1 })}
            >
              Show all deliveries
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
