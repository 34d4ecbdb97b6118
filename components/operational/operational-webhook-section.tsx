"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { LoadError } from "@/components/ui/load-error";
import { OneTimeSecretDialog } from "@/components/ui/one-time-secret-dialog";
import { UrlText } from "@/components/ui/url-text";
import { apiFetch, ApiClientError, NETWORK_ERROR_MESSAGE } from "@/lib/client/fetcher";
import { exactTime, relativeTime } from "@/lib/client/format";
import type { OperationalWebhookView, PutOperationalWebhookResult } from "@/lib/operational/endpoint";

/**
 * The workspace's operational webhook (issue 14): one optional HTTPS endpoint
 * that receives signed `webhook.disabled` and `webhook.recovered` events.
 * Set (probed first), change, or remove it; its secret is shown once.
 */

const KEY = ["operational-webhook"] as const;
const PATH = "/api/v1/operational-webhook";

export function OperationalWebhookSection() {
  const qc = useQueryClient();
  const current = useQuery({ queryKey: KEY, queryFn: () => apiFetch<OperationalWebhookView | null>(PATH) });
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [urlError, setUrlError] = useState<string | undefined>();
  const [secret, setSecret] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: async (url: string) => {
      const { secret: s, ...view } = await apiFetch<PutOperationalWebhookResult>(PATH, {
        method: "PUT",
        body: { url },
      });
      if (view.created) setSecret(s); // component state only, never the query cache
      return view;
    },
    onSuccess: () => {
      setEditing(false);
      void qc.invalidateQueries({ queryKey: KEY });
    },
    onError: (err) =>
      setUrlError(err instanceof ApiClientError ? (err.fieldErrors().url ?? err.message) : NETWORK_ERROR_MESSAGE),
  });
  const remove = useMutation({
    mutationFn: () => apiFetch<{ deleted: boolean }>(PATH, { method: "DELETE" }),
    onSuccess: () => {
      setRemoving(false);
      qc.setQueryData(KEY, null);
    },
  });

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setUrlError(undefined);
    save.mutate(String(new FormData(e.currentTarget).get("url") ?? "").trim());
  }

  const endpoint = current.data ?? null;
  return (
    <section aria-labelledby="operational-webhook-title" className="mt-10">
      <h2 id="operational-webhook-title" className="text-xl font-semibold">
        Operational webhook
      </h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Optional: an HTTPS endpoint of yours that we notify when one of your endpoints is disabled automatically (
        <code>webhook.disabled</code>) and when a recovery of failed deliveries finishes (<code>webhook.recovered</code>
        ), signed like every webhook but with its own secret.{" "}
        <Link href="/docs/events#operational-events" className="text-indigo-700 underline underline-offset-2">
          Payloads
        </Link>
      </p>
      <div className="mt-4 rounded-lg bg-surface p-4 shadow" data-testid="operational-webhook">
        {current.isPending ? (
          <p className="text-sm text-slate-500">Loading…</p>
        ) : current.isError ? (
          <LoadError
            what="the operational webhook"
            error={current.error}
            retrying={current.isFetching}
            onRetry={() => void current.refetch()}
          />
        ) : editing || !endpoint ? (
          <form onSubmit={onSubmit} className="space-y-3">
            <Field
              id="operational-url"
              name="url"
              type="url"
              label="Endpoint URL"
              placeholder="https://example.com/akol-operational"
              defaultValue={endpoint?.url ?? ""}
              required
              error={urlError}
              hint="We send it a signed webhook.probe first: it must answer 2xx within 10 s."
            />
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={save.isPending}>
                {save.isPending ? "Checking your endpoint…" : endpoint ? "Save URL" : "Set operational webhook"}
              </Button>
              {endpoint ? (
                <Button variant="secondary" onClick={() => setEditing(false)}>
                  Cancel
                </Button>
              ) : null}
            </div>
          </form>
        ) : (
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div className="min-w-0 text-sm">
              <p className="font-medium">
                <UrlText url={endpoint.url} />
              </p>
              <p className="text-slate-600">
                Secret <code>{endpoint.secret}</code> · set{" "}
                <span title={exactTime(endpoint.createdAt)}>{relativeTime(endpoint.createdAt).toLowerCase()}</span>
              </p>
            </div>
            <div className="flex gap-2">
              <Button variant="secondary" onClick={() => setEditing(true)}>
                Change URL
              </Button>
              <Button variant="ghost" onClick={() => setRemoving(true)}>
                Remove
              </Button>
            </div>
          </div>
        )}
      </div>

      <OneTimeSecretDialog
        value={secret}
        onClose={() => setSecret(null)}
        title="Operational webhook signing secret"
        description="Copy it now: you will not see it again. Verify each operational event with it (Standard Webhooks)."
        copyLabel="Copy secret"
        testId="revealed-operational-secret"
      />

      <Dialog
        open={removing}
        onOpenChange={setRemoving}
        title="Remove the operational webhook?"
        description="Operational events stop at once. Setting one again creates a new secret."
      >
        {remove.isError ? (
          <p role="alert" className="text-sm text-red-700">
            {remove.error instanceof ApiClientError ? remove.error.message : NETWORK_ERROR_MESSAGE}
          </p>
        ) : null}
        <DialogFooter>
          <Button variant="secondary" onClick={() => setRemoving(false)}>
            Cancel
          </Button>
          <Button variant="danger" disabled={remove.isPending} onClick={() => remove.mutate()}>
            {remove.isPending ? "Removing…" : "Remove"}
          </Button>
        </DialogFooter>
      </Dialog>
    </section>
  );
}
