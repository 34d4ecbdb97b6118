/**
 * React Query keys of the webhook pages and the delivery log's URL filters,
 * shared by the client hooks (components/webhooks/api.ts) and the server
 * components that prefetch the first view (components/webhooks/prefetch.ts):
 * a plain module, so the server gets the real values, not client references.
 */

export type StatusFilter = "all" | "succeeded" | "failed";
export type DeliveryFilters = { status: StatusFilter; eventType: string | null; page: number };

export const PAGE_SIZE = 20;

export const keys = {
  all: ["webhooks"] as const,
  list: ["webhooks", "list"] as const,
  sparklines: ["webhooks", "sparklines"] as const,
  detail: (id: string) => ["webhooks", "detail", id] as const,
  webhook: (id: string) => ["webhooks", "detail", id, "webhook"] as const,
  stats: (id: string) => ["webhooks", "detail", id, "stats"] as const,
  deliveries: (id: string) => ["webhooks", "detail", id, "deliveries"] as const,
  deliveryPage: (id: string, f: DeliveryFilters) => ["webhooks", "detail", id, "deliveries", f] as const,
  delivery: (id: string, deliveryId: string) => ["webhooks", "detail", id, "delivery", deliveryId] as const,
  eventTypes: ["event-types"] as const,
  deleted: ["webhooks", "deleted"] as const,
};

/** The log's filters from the page's query string (`?status=failed&event=call.ended&page=2`). */
export function parseFilters(params: URLSearchParams): DeliveryFilters {
  const rawStatus = params.get("status");
  const status: StatusFilter = rawStatus === "succeeded" || rawStatus === "failed" ? rawStatus : "all";
  const eventType = params.get("event") || null;
  const page = Math.max(1, Math.floor(Number(params.get("page")) || 1));
  return { status, eventType, page };
}
