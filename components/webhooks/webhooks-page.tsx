"use client";

import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Sparkline } from "@/components/charts/sparkline";
import { Button } from "@/components/ui/button";
import { LoadError } from "@/components/ui/load-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { UrlText } from "@/components/ui/url-text";
import { Dialog, DialogFooter } from "@/components/ui/dialog";
import { keys, useEventTypes, useSparklines, useWebhooks, type WebhookView } from "@/components/webhooks/api";
import { ActiveBadge, EventBadge } from "@/components/webhooks/badges";
import { DeletedWebhooksList } from "@/components/webhooks/deleted-webhook-page";
import { SecretRevealDialog, type RevealedSecret } from "@/components/webhooks/secret-reveal-dialog";
import { useReturnFocus } from "@/components/webhooks/use-return-focus";
import {
  formErrorsFrom,
  WebhookForm,
  type FormErrors,
  type WebhookFormValues,
} from "@/components/webhooks/webhook-form";
import { apiFetch } from "@/lib/client/fetcher";
import { relativeTime } from "@/lib/client/format";

const MAX_BADGES = 3;

export function WebhooksPage() {
  const webhooks = useWebhooks();
  useEventTypes(); // warm the catalog for the create dialog
  const sparklines = useSparklines(Boolean(webhooks.data?.length));
  const [createOpen, setCreateOpen] = useState(false);
  const [revealed, setRevealed] = useState<RevealedSecret | null>(null);
  const [announce, setAnnounce] = useState("");

  useReturnFocus(createOpen, "add-endpoint");

  const lines = new Map((sparklines.data?.webhooks ?? []).map((s) => [s.webhookId, s.buckets]));

  return (
    <section aria-labelledby="webhooks-title">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 id="webhooks-title" className="text-2xl font-semibold">
            Webhooks
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            Endpoints that receive signed events from your Akol assistant: calls, appointments and voicemail.
          </p>
        </div>
        <Button id="add-endpoint" onClick={() => setCreateOpen(true)}>
          Add endpoint
        </Button>
      </div>

      <p role="status" aria-live="polite" className="sr-only">
        {announce}
      </p>

      <div className="relative mt-6 overflow-x-auto rounded-lg bg-surface shadow">
        {webhooks.isPending ? (
          <p className="p-6 text-sm text-slate-500" aria-busy="true">
            Loading webhooks…
          </p>
        ) : webhooks.isError ? (
          <LoadError
            what="your webhooks"
            error={webhooks.error}
            retrying={webhooks.isFetching}
            onRetry={() => void webhooks.refetch()}
          />
        ) : webhooks.data.length === 0 ? (
          <div className="p-8 text-center">
            <p className="font-medium text-slate-800">No webhooks yet</p>
            <p className="mt-1 text-sm text-slate-500">
              Add an HTTPS endpoint and choose which events it should receive.
            </p>
            <Button className="mt-4" onClick={() => setCreateOpen(true)}>
              Add your first endpoint
            </Button>
          </div>
        ) : (
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <caption className="sr-only">Your webhook endpoints</caption>
            <thead className="bg-slate-50 text-left text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  Endpoint
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">
                  Events
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
                  Last triggered
                </th>
                <th scope="col" className="hidden px-4 py-2 text-right font-medium sm:table-cell">
                  Failures
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium lg:table-cell">
                  Secret
                </th>
                <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">
                  Last 24 h
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {webhooks.data.map((w) => (
                <WebhookRow key={w.id} w={w} buckets={lines.get(w.id)} />
              ))}
            </tbody>
          </table>
        )}
      </div>

      <DeletedWebhooksList />

      <Dialog
        open={createOpen}
        onOpenChange={setCreateOpen}
        title="Add a webhook endpoint"
        description="We will POST signed JSON to this URL whenever one of the chosen events happens."
      >
        <CreateWebhookForm
          onCancel={() => setCreateOpen(false)}
          onCreated={(r) => {
            setCreateOpen(false);
            setRevealed(r);
            setAnnounce(`Webhook created for ${r.url}.`);
          }}
        />
      </Dialog>

      <SecretRevealDialog revealed={revealed} onClose={() => setRevealed(null)} returnFocusId="add-endpoint" />
    </section>
  );
}

function WebhookRow({
  w,
  buckets,
}: {
  w: WebhookView;
  buckets: { bucketStart: string; succeeded: number; failed: number }[] | undefined;
}) {
  const shown = w.events.slice(0, MAX_BADGES);
  return (
    <tr data-testid="webhook-row" className="align-top hover:bg-slate-50">
      <td className="max-w-[18rem] px-4 py-3">
        <Link href={`/webhooks/${w.id}`} className="font-medium text-indigo-700 hover:underline">
          <UrlText url={w.url} />
        </Link>
        {/* on narrow screens the hidden columns' essentials are repeated here */}
        <p className="mt-1 text-xs text-slate-500 sm:hidden">
          {w.events.length} event{w.events.length === 1 ? "" : "s"} · last triggered{" "}
          <span suppressHydrationWarning>{relativeTime(w.lastTriggeredAt).toLowerCase()}</span>
          {w.failureCount > 0 ? ` · ${w.failureCount} failing` : ""}
        </p>
      </td>
      <td className="hidden px-4 py-3 md:table-cell">
        <ul className="flex max-w-[16rem] flex-wrap gap-1" aria-label="Subscribed events">
          {shown.map((e) => (
            <li key={e}>
              <EventBadge type={e} />
            </li>
          ))}
          {w.events.length > shown.length ? (
            <li className="text-xs text-slate-500" title={w.events.slice(MAX_BADGES).join(", ")}>
              +{w.events.length - shown.length} more
            </li>
          ) : null}
        </ul>
      </td>
      <td className="px-4 py-3">
        <ActiveBadge isActive={w.isActive} reason={w.disabledReason} />
      </td>
      <td className="hidden px-4 py-3 whitespace-nowrap sm:table-cell">
        {w.lastTriggeredAt ? <RelativeTime iso={w.lastTriggeredAt} /> : <span className="text-slate-600">Never</span>}
      </td>
      <td
        className={`hidden px-4 py-3 text-right tabular-nums sm:table-cell ${w.failureCount > 0 ? "font-semibold text-red-700" : "text-slate-600"}`}
      >
        {w.failureCount}
      </td>
      <td className="hidden px-4 py-3 font-mono text-xs text-slate-500 lg:table-cell">{w.secret}</td>
      <td className="hidden px-4 py-3 md:table-cell">
        {buckets ? (
          <Sparkline buckets={buckets} />
        ) : (
          <span className="block h-6 w-24 animate-pulse rounded bg-slate-100" aria-hidden />
        )}
      </td>
    </tr>
  );
}

function CreateWebhookForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (r: RevealedSecret) => void }) {
  const qc = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>({});
  // The plaintext secret bypasses React Query: the mutation's result (which
  // React Query keeps) is the view without it; the secret passes through this
  // ref to the reveal dialog's local state and is dropped from here at once.
  const secretRef = useRef<string | null>(null);
  const create = useMutation({
    mutationFn: async (input: WebhookFormValues): Promise<Omit<WebhookView, "secret">> => {
      const { secret, ...view } = await apiFetch<WebhookView>("/api/v1/webhooks", { method: "POST", body: input });
      secretRef.current = secret;
      return view;
    },
    onSuccess: (view) => {
      const secret = secretRef.current;
      secretRef.current = null;
      void qc.invalidateQueries({ queryKey: keys.list });
      void qc.invalidateQueries({ queryKey: keys.sparklines });
      if (secret) onCreated({ secret, reason: "created", url: view.url });
    },
    onError: (err) => setErrors(formErrorsFrom(err)),
  });

  return (
    <WebhookForm
      idPrefix="create"
      initial={{ url: "", events: [] }}
      errors={errors}
      checking={create.isPending}
      busy={create.isPending}
      onSubmit={(values) => {
        setErrors({});
        create.mutate(values);
      }}
    >
      {() => (
        <DialogFooter>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" disabled={create.isPending}>
            {create.isPending ? "Checking your endpoint…" : "Create webhook"}
          </Button>
        </DialogFooter>
      )}
    </WebhookForm>
  );
}
