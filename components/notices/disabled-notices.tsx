"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { UrlText } from "@/components/ui/url-text";
import { keys as webhookKeys, webhookPath, type WebhookView } from "@/components/webhooks/api";
import { apiFetch, ApiClientError, NETWORK_ERROR_MESSAGE } from "@/lib/client/fetcher";
import { exactTime, relativeTime } from "@/lib/client/format";
import type { NoticeView } from "@/lib/notices/notices";

/**
 * The disabled-endpoint banners shown on every dashboard page (issue 14):
 * one per endpoint disabled automatically and not yet dismissed, naming it
 * and the reason, with one-click re-enable (the same PATCH as the detail
 * page's toggle, which probes the endpoint first) and a dismiss button
 * (dismissal is per workspace). Refreshed every minute and on focus.
 */

export const noticeKeys = { all: ["notices"] as const };

export function DisabledNotices() {
  const notices = useQuery({
    queryKey: noticeKeys.all,
    queryFn: () => apiFetch<NoticeView[]>("/api/v1/notices"),
    refetchInterval: 60_000,
  });
  if (!notices.data || notices.data.length === 0) return null;
  return (
    <section aria-label="Disabled endpoints" className="mx-auto max-w-6xl space-y-2 px-4 pt-4">
      {notices.data.map((n) => (
        <NoticeBanner key={n.id} notice={n} />
      ))}
    </section>
  );
}

function NoticeBanner({ notice }: { notice: NoticeView }) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const titleId = `notice-${notice.id}-title`;
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: noticeKeys.all });
    void qc.invalidateQueries({ queryKey: webhookKeys.all });
  };
  const failed = (err: unknown) => {
    const fields = err instanceof ApiClientError ? err.fieldErrors() : {};
    setError(fields.url ?? (err instanceof ApiClientError ? err.message : NETWORK_ERROR_MESSAGE));
  };
  const reenable = useMutation({
    mutationFn: () =>
      apiFetch<WebhookView>(webhookPath(notice.webhookId), { method: "PATCH", body: { isActive: true } }),
    onSuccess: (updated) => {
      qc.setQueryData(webhookKeys.webhook(notice.webhookId), updated);
      qc.setQueryData<NoticeView[]>(noticeKeys.all, (list) => list?.filter((x) => x.id !== notice.id));
      refresh();
    },
    onError: failed,
  });
  const dismiss = useMutation({
    mutationFn: () =>
      apiFetch<{ id: string; dismissed: true }>(`/api/v1/notices/${encodeURIComponent(notice.id)}/dismiss`, {
        method: "POST",
      }),
    onSuccess: () => {
      qc.setQueryData<NoticeView[]>(noticeKeys.all, (list) => list?.filter((x) => x.id !== notice.id));
      refresh();
    },
    onError: failed,
  });
  const busy = reenable.isPending || dismiss.isPending;
  return (
    <div
      role="region"
      aria-labelledby={titleId}
      data-testid="disabled-notice"
      className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
    >
      <div className="flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1 basis-64">
          <p id={titleId} className="font-semibold">
            Endpoint disabled: <UrlText url={notice.url} />
          </p>
          <p className="mt-1">
            {notice.reason}.{" "}
            <span title={exactTime(notice.disabledAt)}>Disabled {relativeTime(notice.disabledAt).toLowerCase()}</span>;
            nothing is sent to it until it is re-enabled.{" "}
            <Link
              href={`/webhooks/${encodeURIComponent(notice.webhookId)}`}
              className="font-medium underline underline-offset-2"
            >
              View endpoint
            </Link>
          </p>
          {error ? (
            <p role="alert" className="mt-2 font-medium text-red-700">
              {error}
            </p>
          ) : null}
          <p role="status" aria-live="polite" className="mt-1 empty:hidden">
            {reenable.isPending ? "Checking your endpoint…" : ""}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button
            disabled={busy}
            onClick={() => {
              setError(null);
              reenable.mutate();
            }}
          >
            {reenable.isPending ? "Checking your endpoint…" : "Probe and re-enable"}
          </Button>
          <button
            type="button"
            disabled={busy}
            aria-label={`Dismiss the notice about ${notice.url}`}
            className="inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium text-amber-950 ring-1 ring-amber-300 ring-inset hover:bg-amber-100 disabled:cursor-not-allowed"
            onClick={() => {
              setError(null);
              dismiss.mutate();
            }}
          >
            Dismiss
          </button>
        </div>
      </div>
    </div>
  );
}
