"use client";

import { useState, type FormEvent, type ReactNode } from "react";
import { useEventTypes } from "@/components/webhooks/api";
import { EventPicker } from "@/components/webhooks/event-picker";
import { Field } from "@/components/ui/field";
import { LoadError } from "@/components/ui/load-error";
import { ApiClientError } from "@/lib/client/fetcher";

export type WebhookFormValues = { url: string; events: string[] };
export type FormErrors = { url?: string; events?: string; form?: string };

/** Turns an API error into messages for the form's fields (the probe's reason lands on `url`). */
export function formErrorsFrom(err: unknown): FormErrors {
  if (!(err instanceof ApiClientError))
    return { form: "Could not reach the server. Check your connection and try again." };
  const fields = err.fieldErrors();
  const out: FormErrors = {};
  if (fields.url) out.url = fields.url;
  if (fields.events) out.events = fields.events;
  const known = new Set(["url", "events"]);
  const others = Object.entries(fields).filter(([k]) => !known.has(k));
  if (!out.url && !out.events) out.form = others.length ? others.map(([k, m]) => `${k}: ${m}`).join("; ") : err.message;
  return out;
}

/**
 * URL + events, shared by the create dialog and the detail page's settings.
 * `children` renders the buttons; `checking` shows the probe's pending state.
 */
export function WebhookForm({
  idPrefix,
  initial,
  errors,
  checking,
  busy,
  onSubmit,
  children,
}: {
  idPrefix: string;
  initial: WebhookFormValues;
  errors: FormErrors;
  /** True while the API probes the URL. */
  checking: boolean;
  busy: boolean;
  onSubmit: (values: WebhookFormValues) => void;
  children: (values: WebhookFormValues) => ReactNode;
}) {
  const catalog = useEventTypes();
  const [url, setUrl] = useState(initial.url);
  const [events, setEvents] = useState(initial.events);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    onSubmit({ url: url.trim(), events });
  }

  return (
    <form onSubmit={submit} className="space-y-5" noValidate aria-busy={busy}>
      <Field
        id={`${idPrefix}-url`}
        name="url"
        label="Endpoint URL"
        type="url"
        inputMode="url"
        autoComplete="off"
        spellCheck={false}
        placeholder="https://example.com/akol-webhook"
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
        error={errors.url}
        hint="HTTPS only. We send a signed webhook.probe POST first: it must answer 2xx within 10 seconds."
        required
        disabled={busy}
      />
      {catalog.isPending ? (
        <p className="text-sm text-slate-500">Loading event types…</p>
      ) : catalog.isError ? (
        <LoadError
          what="the event types"
          error={catalog.error}
          retrying={catalog.isFetching}
          onRetry={() => void catalog.refetch()}
          className=""
        />
      ) : (
        <EventPicker
          catalog={catalog.data}
          value={events}
          onChange={setEvents}
          error={errors.events}
          idPrefix={idPrefix}
          disabled={busy}
        />
      )}
      {errors.form ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700">
          {errors.form}
        </p>
      ) : null}
      <p role="status" aria-live="polite" className="text-sm text-indigo-700">
        {checking ? "Checking your endpoint… we sent a signed webhook.probe and are waiting for a 2xx answer." : ""}
      </p>
      {children({ url, events })}
    </form>
  );
}
