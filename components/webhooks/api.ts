"use client";

import { keepPreviousData, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import type { DeliveryView } from "@/lib/delivery/schemas";
import type { DeletedWebhookLog } from "@/lib/delivery/deleted-logs";
import type { WebhookHealth, WebhookSparklines } from "@/lib/delivery/stats";
import { apiFetch, apiFetchPage, type Pagination } from "@/lib/client/fetcher";
import type { EventTypeInfo } from "@/lib/events/catalog";
import type { WebhookView } from "@/lib/webhooks/schemas";
import { keys, PAGE_SIZE, type DeliveryFilters, type StatusFilter } from "@/components/webhooks/query-keys";

/**
 * React Query keys and hooks of the webhook pages. Every read goes through
 * the public /api/v1 routes (lib/client/fetcher). Plaintext secrets never
 * enter this cache: the create/rotate mutations strip them before returning
 * (see useSecretReveal).
 */

export type { DeletedWebhookLog, DeliveryView, EventTypeInfo, WebhookHealth, WebhookSparklines, WebhookView };

export { keys, PAGE_SIZE };
export type { DeliveryFilters, StatusFilter };
export type DeliveryPage = { data: DeliveryView[]; pagination: Pagination };

export const webhookPath = (id: string) => `/api/v1/webhooks/${encodeURIComponent(id)}`;

export function useWebhooks() {
  return useQuery({ queryKey: keys.list, queryFn: () => apiFetch<WebhookView[]>("/api/v1/webhooks") });
}

/** Deleted webhooks whose delivery logs are still retained (GET /api/v1/webhooks/deleted). */
export function useDeletedWebhooks() {
  return useQuery({ queryKey: keys.deleted, queryFn: () => apiFetch<DeletedWebhookLog[]>("/api/v1/webhooks/deleted") });
}

export function useSparklines(enabled: boolean) {
  return useQuery({
    queryKey: keys.sparklines,
    queryFn: () => apiFetch<WebhookSparklines>("/api/v1/webhooks/stats"),
    enabled,
    refetchInterval: 60_000,
  });
}

export function useWebhook(id: string) {
  return useQuery({
    queryKey: keys.webhook(id),
    queryFn: () => apiFetch<WebhookView>(webhookPath(id)),
    retry: (n, err) => n < 1 && !isNotFound(err),
  });
}

export function useWebhookHealth(id: string) {
  return useQuery({
    queryKey: keys.stats(id),
    queryFn: () => apiFetch<WebhookHealth>(`${webhookPath(id)}/stats`),
    refetchInterval: 60_000,
  });
}

export function useEventTypes() {
  return useQuery({
    queryKey: keys.eventTypes,
    queryFn: () => apiFetch<EventTypeInfo[]>("/api/v1/event-types"),
    staleTime: Infinity,
  });
}

function deliveriesUrl(id: string, f: DeliveryFilters): string {
  const q = new URLSearchParams({ page: String(f.page), limit: String(PAGE_SIZE) });
  if (f.status !== "all") q.set("success", f.status === "succeeded" ? "true" : "false");
  if (f.eventType) q.set("eventType", f.eventType);
  return `${webhookPath(id)}/deliveries?${q.toString()}`;
}

const POLL_MIN_MS = 2_000;
const POLL_MAX_MS = 30_000;

/**
 * How soon to look again while some delivery is in flight: every 2 s, or
 * later (up to 30 s) when every pending row waits for a retry further away.
 */
export function pollDelay(rows: DeliveryView[] | undefined, now = Date.now()): number | false {
  const pending = rows?.filter((d) => d.status === "pending") ?? [];
  if (pending.length === 0) return false;
  const soonest = Math.min(...pending.map((d) => (d.nextAttemptAt ? Date.parse(d.nextAttemptAt) - now : 0)));
  return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, soonest + 500));
}

/** New deliveries (published by the customer's backend) show up on the first page within this. */
const LIVE_TAIL_MS = 15_000;

export function useDeliveries(id: string, filters: DeliveryFilters) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.deliveryPage(id, filters),
    queryFn: async (): Promise<DeliveryPage> => {
      const res = await apiFetchPage<DeliveryView[]>(deliveriesUrl(id, filters));
      return {
        data: res.data,
        pagination: res.pagination ?? { page: filters.page, limit: PAGE_SIZE, total: res.data.length, totalPages: 1 },
      };
    },
    placeholderData: keepPreviousData,
    refetchInterval: (query) => {
      const own = pollDelay(query.state.data?.data);
      if (own !== false) return own;
      // A delivery in flight seen in another view of this log (e.g. "All" before switching to
      // "Failed") will land in this one when it settles: look again soon.
      const elsewhere = qc
        .getQueriesData<DeliveryPage>({ queryKey: keys.deliveries(id) })
        .flatMap(([, page]) => page?.data ?? []);
      const inFlight = pollDelay(elsewhere);
      if (inFlight !== false) return inFlight;
      return filters.page === 1 ? LIVE_TAIL_MS : false;
    },
  });
}

/** One delivery, refreshed until it settles (used to follow a replay). */
export function useDelivery(webhookId: string, deliveryId: string | null) {
  return useQuery({
    queryKey: keys.delivery(webhookId, deliveryId ?? ""),
    queryFn: () =>
      apiFetch<DeliveryView>(`${webhookPath(webhookId)}/deliveries/${encodeURIComponent(deliveryId ?? "")}`),
    enabled: deliveryId !== null,
    refetchInterval: (query) => pollDelay(query.state.data ? [query.state.data] : undefined),
  });
}

/**
 * Shows a delivery just created (test or replay, answered 202) at the top of
 * the first page of every cached log view whose filters admit it, before
 * the refetch confirms it.
 */
export function insertNewDelivery(qc: QueryClient, webhookId: string, d: DeliveryView) {
  const views = qc.getQueriesData<DeliveryPage>({ queryKey: keys.deliveries(webhookId) });
  for (const [key, page] of views) {
    const f = key[4] as DeliveryFilters | undefined;
    if (!page || !f || f.page !== 1 || f.status !== "all" || (f.eventType && f.eventType !== d.eventType)) continue;
    if (page.data.some((x) => x.id === d.id)) continue;
    qc.setQueryData<DeliveryPage>(key, {
      data: [d, ...page.data].slice(0, page.pagination.limit),
      pagination: {
        ...page.pagination,
        total: page.pagination.total + 1,
        totalPages: Math.max(1, Math.ceil((page.pagination.total + 1) / page.pagination.limit)),
      },
    });
  }
}

export function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "status" in err && (err as { status: unknown }).status === 404;
}
