import "server-only";
import { dehydrate, QueryClient, type DehydratedState } from "@tanstack/react-query";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import { keys, PAGE_SIZE, parseFilters } from "@/components/webhooks/query-keys";
import { authOptions } from "@/lib/auth/options";
import { listDeletedWebhookLogs } from "@/lib/delivery/deleted-logs";
import { assertWebhookLogsVisible, listDeliveries } from "@/lib/delivery/logs";
import { webhookHealth, workspaceSparklines } from "@/lib/delivery/stats";
import { ApiError } from "@/lib/errors";
import { catalogView, EVENT_TYPES } from "@/lib/events/catalog";
import { findWebhookOrThrow } from "@/lib/webhooks/get";
import { listWebhooks } from "@/lib/webhooks/list";
import { toWebhookView } from "@/lib/webhooks/view";

/**
 * The first view of the webhook pages, read on the server with the same lib/
 * functions as the /api/v1 routes and handed to React Query (HydrationBoundary),
 * so the page arrives rendered instead of behind "Loading…". Scoped to the
 * signed-in user's workspace: another workspace's webhook is "not found". The
 * values are passed through JSON, as the API would send them.
 */

const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The signed-in user's workspace (the dashboard layout has already sent anyone else to /sign-in). */
export async function sessionWorkspace(): Promise<string> {
  const session = await getServerSession(authOptions());
  if (!session?.user.workspaceId) redirect("/sign-in");
  return session.user.workspaceId;
}

const isNotFoundError = (err: unknown) => err instanceof ApiError && err.status === 404;

export type DetailPrefetch =
  | { kind: "webhook"; state: DehydratedState }
  /** deleted, with its log retained: the client renders the read-only log */
  | { kind: "deleted" }
  | { kind: "not-found" };

export async function prefetchWebhookDetail(
  workspaceId: string,
  id: string,
  search: Record<string, string | string[] | undefined>,
): Promise<DetailPrefetch> {
  let webhook;
  try {
    webhook = await findWebhookOrThrow(workspaceId, id);
  } catch (err) {
    if (!isNotFoundError(err)) throw err;
    try {
      await assertWebhookLogsVisible(workspaceId, id);
      return { kind: "deleted" };
    } catch (err2) {
      if (isNotFoundError(err2)) return { kind: "not-found" };
      throw err2;
    }
  }
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) if (typeof v === "string") params.set(k, v);
  const filters = parseFilters(params);
  const eventType = EVENT_TYPES.find((t) => t === filters.eventType);
  const knownEvent = filters.eventType === null || eventType !== undefined;

  const qc = new QueryClient();
  const [health, page] = await Promise.all([
    webhookHealth(workspaceId, webhook.id),
    knownEvent
      ? listDeliveries(workspaceId, webhook.id, {
          page: filters.page,
          limit: PAGE_SIZE,
          success: filters.status === "all" ? undefined : filters.status === "succeeded",
          eventType,
        })
      : null,
  ]);
  qc.setQueryData(keys.webhook(id), asJson(toWebhookView(webhook)));
  qc.setQueryData(keys.stats(id), asJson(health));
  if (page) qc.setQueryData(keys.deliveryPage(id, filters), asJson(page));
  qc.setQueryData(keys.eventTypes, asJson(catalogView()));
  return { kind: "webhook", state: dehydrate(qc) };
}

export async function prefetchWebhookList(workspaceId: string): Promise<DehydratedState> {
  const qc = new QueryClient();
  const [list, sparklines, deleted] = await Promise.all([
    listWebhooks(workspaceId),
    workspaceSparklines(workspaceId),
    listDeletedWebhookLogs(workspaceId),
  ]);
  qc.setQueryData(keys.list, asJson(list));
  if (list.length > 0) qc.setQueryData(keys.sparklines, asJson(sparklines));
  qc.setQueryData(keys.deleted, asJson(deleted));
  qc.setQueryData(keys.eventTypes, asJson(catalogView()));
  return dehydrate(qc);
}
