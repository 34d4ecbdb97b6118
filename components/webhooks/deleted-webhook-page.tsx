"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { DeliveryLog } from "@/components/deliveries/delivery-log";
import { LoadError } from "@/components/ui/load-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { UrlText } from "@/components/ui/url-text";
import { isNotFound, keys, useDeletedWebhooks, webhookPath, type DeliveryView } from "@/components/webhooks/api";
import { WebhookNotFound } from "@/components/webhooks/webhook-not-found";
import { apiFetch } from "@/lib/client/fetcher";

/**
 * /webhooks/:id of a webhook that is gone: its retained delivery log (read
 * only: replaying needs the webhook) when the workspace has one, otherwise
 * "not found" (never deleted, or another workspace's).
 */
export function DeletedWebhookPage({ id }: { id: string }) {
  // the newest retained delivery: the log route answers 404 unless this workspace has deliveries of that id
  const latest = useQuery({
    queryKey: [...keys.detail(id), "latest"],
    queryFn: () => apiFetch<DeliveryView[]>(`${webhookPath(id)}/deliveries?limit=1`),
    retry: (n, err) => n < 1 && !isNotFound(err),
  });
  if (latest.isPending) return <p className="text-sm text-slate-500">Loading webhook…</p>;
  if (latest.isError && !isNotFound(latest.error)) {
    return (
      <div className="rounded-lg bg-surface shadow">
        <LoadError
          what="this webhook"
          error={latest.error}
          retrying={latest.isFetching}
          onRetry={() => void latest.refetch()}
        />
      </div>
    );
  }
  const newest = latest.data?.[0];
  const entry = newest ? { url: newest.url, lastDeliveryAt: newest.createdAt } : null;
  if (!entry) return <WebhookNotFound />;
  return (
    <div className="space-y-6">
      <BackLink />
      <section aria-labelledby="webhook-title" className="rounded-lg bg-surface p-4 shadow sm:p-6">
        <p className="text-xs font-medium tracking-wide text-slate-500 uppercase">Deleted endpoint</p>
        <h1
          id="webhook-title"
          className="font-mono text-lg font-semibold text-slate-900 sm:text-xl"
          data-testid="webhook-url"
        >
          <UrlText url={entry.url} />
        </h1>
        <p className="mt-2 text-sm text-slate-600" data-testid="deleted-notice">
          This webhook was deleted: nothing is delivered to it any more, and its deliveries cannot be replayed. Its
          delivery log stays readable here and through the API until retention purges it (30 days after each delivery).
          Last delivery <RelativeTime iso={entry.lastDeliveryAt} />.
        </p>
      </section>
      <DeliveryLog webhookId={id} canReplay={false} />
    </div>
  );
}

export function BackLink() {
  return (
    <Link href="/webhooks" className="inline-block text-sm text-indigo-700 hover:underline">
      ← All webhooks
    </Link>
  );
}

/** Under the webhooks list: deleted endpoints whose logs are retained, each a link to its log. */
export function DeletedWebhooksList() {
  const deleted = useDeletedWebhooks();
  if (!deleted.data || deleted.data.length === 0) return null;
  return (
    <details className="mt-6 rounded-lg bg-surface p-4 text-sm shadow" data-testid="deleted-webhooks">
      <summary className="cursor-pointer font-medium text-slate-700">
        Deleted endpoints ({deleted.data.length}): delivery logs kept for 30 days
      </summary>
      <ul className="mt-3 divide-y divide-slate-100">
        {deleted.data.map((d) => (
          <li key={d.webhookId} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 py-2">
            <Link
              href={`/webhooks/${encodeURIComponent(d.webhookId)}`}
              className="min-w-0 font-mono text-indigo-700 hover:underline"
              aria-label={`Delivery log of deleted endpoint ${d.url}`}
            >
              <UrlText url={d.url} />
            </Link>
            <span className="text-xs text-slate-500">
              last delivery <RelativeTime iso={d.lastDeliveryAt} />
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
