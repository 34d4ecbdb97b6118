"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { DeliveryLog, useLogFilters } from "@/components/deliveries/delivery-log";
import { Button } from "@/components/ui/button";
import { UrlText } from "@/components/ui/url-text";
import { Dialog, DialogFooter } from "@/components/ui/dialog";
import {
  insertNewDelivery,
  isNotFound,
  keys,
  useEventTypes,
  useWebhook,
  webhookPath,
  type DeliveryView,
  type WebhookView,
} from "@/components/webhooks/api";
import { ActiveBadge, EventBadge } from "@/components/webhooks/badges";
import { HealthPanel } from "@/components/webhooks/health-panel";
import { SecretRevealDialog, type RevealedSecret } from "@/components/webhooks/secret-reveal-dialog";
import { useReturnFocus } from "@/components/webhooks/use-return-focus";
import {
  formErrorsFrom,
  WebhookForm,
  type FormErrors,
  type WebhookFormValues,
} from "@/components/webhooks/webhook-form";
import { apiFetch, ApiClientError } from "@/lib/client/fetcher";
import { exactTime, relativeTime } from "@/lib/client/format";

type Masked = Omit<WebhookView, "secret"> & { secret?: string };

export function WebhookDetailPage({ id }: { id: string }) {
  const webhook = useWebhook(id);
  const [announce, setAnnounce] = useState("");

  if (webhook.isPending) return <p className="text-sm text-slate-500">Loading webhook…</p>;
  if (webhook.isError) {
    return (
      <div role="alert" className="rounded-lg bg-surface p-6 shadow">
        <p className="font-medium text-slate-900">
          {isNotFound(webhook.error) ? "Webhook not found" : "Could not load this webhook"}
        </p>
        <p className="mt-1 text-sm text-slate-600">
          {isNotFound(webhook.error)
            ? "It may have been deleted, or it belongs to another workspace."
            : webhook.error.message}
        </p>
        <Link href="/webhooks" className="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline">
          ← Back to webhooks
        </Link>
      </div>
    );
  }
  const w = webhook.data;

  return (
    <div className="space-y-6">
      <Link href="/webhooks" className="text-sm text-indigo-700 hover:underline">
        ← All webhooks
      </Link>
      <p role="status" aria-live="polite" className="sr-only" data-testid="announcer">
        {announce}
      </p>
      <Header w={w} onAnnounce={setAnnounce} />
      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <HealthPanel webhookId={w.id} />
        <TestEventPanel w={w} onAnnounce={setAnnounce} />
      </div>
      <DeliveryLog webhookId={w.id} canReplay />
    </div>
  );
}

function Header({ w, onAnnounce }: { w: WebhookView; onAnnounce: (m: string) => void }) {
  const [editing, setEditing] = useState(false);
  const [toggling, setToggling] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [revealed, setRevealed] = useState<RevealedSecret | null>(null);
  useReturnFocus(editing, "webhook-edit");
  useReturnFocus(toggling, "webhook-toggle");
  useReturnFocus(rotating, "webhook-rotate");
  useReturnFocus(deleting, "webhook-delete");

  return (
    <section aria-labelledby="webhook-title" className="rounded-lg bg-surface p-4 shadow sm:p-6">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 flex-1">
          <p className="text-xs font-medium tracking-wide text-slate-500 uppercase">Endpoint</p>
          <h1
            id="webhook-title"
            className="font-mono text-lg font-semibold text-slate-900 sm:text-xl"
            data-testid="webhook-url"
          >
            <UrlText url={w.url} />
          </h1>
          <div className="mt-2" data-testid="webhook-state">
            <ActiveBadge isActive={w.isActive} reason={w.disabledReason} />
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button id="webhook-edit" variant="secondary" onClick={() => setEditing(true)}>
            Edit
          </Button>
          <Button id="webhook-toggle" variant="secondary" onClick={() => setToggling(true)}>
            {w.isActive ? "Disable" : "Re-enable"}
          </Button>
          <Button id="webhook-rotate" variant="secondary" onClick={() => setRotating(true)}>
            Rotate secret
          </Button>
          <Button id="webhook-delete" variant="danger" onClick={() => setDeleting(true)}>
            Delete
          </Button>
        </div>
      </div>

      <dl className="mt-4 grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
        <div>
          <dt className="text-slate-500">Last triggered</dt>
          <dd>
            {w.lastTriggeredAt ? (
              <time dateTime={w.lastTriggeredAt} title={exactTime(w.lastTriggeredAt)}>
                {relativeTime(w.lastTriggeredAt)}
              </time>
            ) : (
              "Never"
            )}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Consecutive failures</dt>
          <dd className={w.failureCount > 0 ? "font-semibold text-red-700" : ""} data-testid="failure-count">
            {w.failureCount}
          </dd>
        </div>
        <div>
          <dt className="text-slate-500">Signing secret</dt>
          <dd className="font-mono text-xs">{w.secret}</dd>
        </div>
        <div>
          <dt className="text-slate-500">Created</dt>
          <dd>
            <time dateTime={w.createdAt} title={exactTime(w.createdAt)}>
              {relativeTime(w.createdAt)}
            </time>
          </dd>
        </div>
        <div className="col-span-2 sm:col-span-4">
          <dt className="text-slate-500">Events</dt>
          <dd>
            <ul className="mt-1 flex flex-wrap gap-1" aria-label="Subscribed events">
              {w.events.map((e) => (
                <li key={e}>
                  <EventBadge type={e} />
                </li>
              ))}
            </ul>
          </dd>
        </div>
      </dl>

      <Dialog
        open={editing}
        onOpenChange={setEditing}
        title="Edit endpoint"
        description="Changing the URL sends a probe to the new URL first; the change is refused if it does not answer 2xx."
      >
        <EditForm
          w={w}
          onDone={(message) => {
            setEditing(false);
            onAnnounce(message);
          }}
          onCancel={() => setEditing(false)}
        />
      </Dialog>

      <Dialog
        open={toggling}
        onOpenChange={setToggling}
        title={w.isActive ? "Disable this endpoint?" : "Re-enable this endpoint?"}
        description={
          w.isActive
            ? "While disabled, new events are not delivered to it and scheduled retries are cancelled. Test events and replays still work."
            : "We send a signed probe to your endpoint first: it must answer 2xx within 10 seconds, or it stays disabled."
        }
      >
        <ToggleActive
          w={w}
          onDone={(message) => {
            setToggling(false);
            onAnnounce(message);
          }}
          onCancel={() => setToggling(false)}
        />
      </Dialog>

      <Dialog
        open={rotating}
        onOpenChange={setRotating}
        title="Rotate the signing secret?"
        description={
          <>
            The current secret <strong>stops working immediately</strong>: every delivery from now on is signed with the
            new one, and your endpoint will reject them until it uses the new secret. Update your verification code
            first if you can.
          </>
        }
      >
        <RotateSecret
          w={w}
          onRotated={(r) => {
            setRotating(false);
            setRevealed(r);
            onAnnounce("Signing secret rotated.");
          }}
          onCancel={() => setRotating(false)}
        />
      </Dialog>

      <Dialog
        open={deleting}
        onOpenChange={setDeleting}
        title="Delete this webhook?"
        description={
          <>
            Deliveries to <UrlText url={w.url} className="font-mono" /> stop immediately, including scheduled retries.
            This cannot be undone. Its delivery logs are kept for 30 days and stay readable through the API.
          </>
        }
      >
        <DeleteWebhook w={w} onCancel={() => setDeleting(false)} />
      </Dialog>

      <SecretRevealDialog revealed={revealed} onClose={() => setRevealed(null)} returnFocusId="webhook-rotate" />
    </section>
  );
}

function usePatch(w: WebhookView) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<WebhookFormValues> & { isActive?: boolean }) =>
      apiFetch<WebhookView>(webhookPath(w.id), { method: "PATCH", body }),
    onSuccess: (updated) => {
      qc.setQueryData(keys.webhook(w.id), updated);
      void qc.invalidateQueries({ queryKey: keys.list });
    },
  });
}

function EditForm({ w, onDone, onCancel }: { w: WebhookView; onDone: (m: string) => void; onCancel: () => void }) {
  const patch = usePatch(w);
  const [errors, setErrors] = useState<FormErrors>({});
  const [urlChanged, setUrlChanged] = useState(false);

  return (
    <WebhookForm
      idPrefix="edit"
      initial={{ url: w.url, events: w.events }}
      errors={errors}
      checking={patch.isPending && urlChanged}
      busy={patch.isPending}
      onSubmit={(values) => {
        const body: Partial<WebhookFormValues> = {};
        if (values.url !== w.url) body.url = values.url;
        if (values.events.join() !== w.events.join()) body.events = values.events;
        if (body.url === undefined && body.events === undefined) {
          onDone("Nothing changed.");
          return;
        }
        setErrors({});
        setUrlChanged(body.url !== undefined);
        patch.mutate(body, {
          onSuccess: () => onDone("Endpoint updated."),
          onError: (err) => setErrors(formErrorsFrom(err)),
        });
      }}
    >
      {(values) => (
        <DialogFooter>
          <Button variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" disabled={patch.isPending}>
            {patch.isPending && values.url.trim() !== w.url
              ? "Checking your endpoint…"
              : patch.isPending
                ? "Saving…"
                : "Save changes"}
          </Button>
        </DialogFooter>
      )}
    </WebhookForm>
  );
}

function ToggleActive({ w, onDone, onCancel }: { w: WebhookView; onDone: (m: string) => void; onCancel: () => void }) {
  const patch = usePatch(w);
  const [error, setError] = useState<string | null>(null);
  const enabling = !w.isActive;
  return (
    <div className="space-y-4">
      {error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700" data-testid="toggle-error">
          {error}
        </p>
      ) : null}
      <p role="status" aria-live="polite" className="text-sm text-indigo-700">
        {patch.isPending && enabling ? "Checking your endpoint…" : ""}
      </p>
      <DialogFooter>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button
          variant={enabling ? "primary" : "danger"}
          disabled={patch.isPending}
          onClick={() => {
            setError(null);
            patch.mutate(
              { isActive: enabling },
              {
                onSuccess: () => onDone(enabling ? "Endpoint re-enabled." : "Endpoint disabled."),
                onError: (err) => {
                  const fields = err instanceof ApiClientError ? err.fieldErrors() : {};
                  setError(fields.url ?? (err instanceof ApiClientError ? err.message : "Could not reach the server."));
                },
              },
            );
          }}
        >
          {patch.isPending
            ? enabling
              ? "Checking your endpoint…"
              : "Disabling…"
            : enabling
              ? "Probe and re-enable"
              : "Disable endpoint"}
        </Button>
      </DialogFooter>
    </div>
  );
}

function RotateSecret({
  w,
  onRotated,
  onCancel,
}: {
  w: WebhookView;
  onRotated: (r: RevealedSecret) => void;
  onCancel: () => void;
}) {
  const qc = useQueryClient();
  const secretRef = useRef<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rotate = useMutation({
    // as on create: the plaintext secret never becomes the mutation's (cached) result
    mutationFn: async (): Promise<Masked> => {
      const { secret, ...view } = await apiFetch<WebhookView>(`${webhookPath(w.id)}/rotate-secret`, { method: "POST" });
      secretRef.current = secret;
      return view;
    },
    onSuccess: (view) => {
      const secret = secretRef.current;
      secretRef.current = null;
      void qc.invalidateQueries({ queryKey: keys.webhook(w.id) });
      if (secret) onRotated({ secret, reason: "rotated", url: view.url });
    },
    onError: (err) => setError(err instanceof ApiClientError ? err.message : "Could not reach the server."),
  });
  return (
    <ConfirmActions
      error={error}
      onCancel={onCancel}
      onConfirm={() => rotate.mutate()}
      pending={rotate.isPending}
      label="Rotate now"
      pendingLabel="Rotating…"
    />
  );
}

function DeleteWebhook({ w, onCancel }: { w: WebhookView; onCancel: () => void }) {
  const qc = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: () => apiFetch<{ id: string; deleted: boolean }>(webhookPath(w.id), { method: "DELETE" }),
    onSuccess: () => {
      qc.removeQueries({ queryKey: keys.detail(w.id) });
      qc.setQueryData<WebhookView[]>(keys.list, (list) => list?.filter((x) => x.id !== w.id));
      void qc.invalidateQueries({ queryKey: keys.list });
      void qc.invalidateQueries({ queryKey: keys.sparklines });
      router.push("/webhooks");
    },
    onError: (err) => setError(err instanceof ApiClientError ? err.message : "Could not reach the server."),
  });
  return (
    <ConfirmActions
      error={error}
      onCancel={onCancel}
      onConfirm={() => remove.mutate()}
      pending={remove.isPending}
      label="Delete webhook"
      pendingLabel="Deleting…"
    />
  );
}

/** The error line and Cancel / confirm buttons of a destructive confirmation dialog. */
function ConfirmActions(props: {
  error: string | null;
  onCancel: () => void;
  onConfirm: () => void;
  pending: boolean;
  label: string;
  pendingLabel: string;
}) {
  return (
    <div className="space-y-4">
      {props.error ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700">
          {props.error}
        </p>
      ) : null}
      <DialogFooter>
        <Button variant="secondary" onClick={props.onCancel}>
          Cancel
        </Button>
        <Button variant="danger" disabled={props.pending} onClick={props.onConfirm}>
          {props.pending ? props.pendingLabel : props.label}
        </Button>
      </DialogFooter>
    </div>
  );
}

function TestEventPanel({ w, onAnnounce }: { w: WebhookView; onAnnounce: (m: string) => void }) {
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
      const text = err instanceof ApiClientError ? err.message : "Could not reach the server.";
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
