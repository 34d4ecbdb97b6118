"use client";

import { useRouter } from "next/navigation";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { useToast } from "@/components/ui/toast";
import { keys, webhookPath, type WebhookView } from "@/components/webhooks/api";
import { type RevealedSecret } from "@/components/webhooks/secret-reveal-dialog";
import {
  formErrorsFrom,
  WebhookForm,
  type FormErrors,
  type WebhookFormValues,
} from "@/components/webhooks/webhook-form";
import { apiFetch, ApiClientError, NETWORK_ERROR_MESSAGE } from "@/lib/client/fetcher";

/** The bodies of the detail page's dialogs: edit, disable/re-enable, rotate the secret, delete. */

type Masked = Omit<WebhookView, "secret"> & { secret?: string };

/** What every dialog body gets: the endpoint it acts on and how to close without acting. */
type ActionProps = { w: WebhookView; onCancel: () => void };

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

export function EditForm({ w, onDone, onCancel }: ActionProps & { onDone: (message: string) => void }) {
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

export function ToggleActive({ w, onDone, onCancel }: ActionProps & { onDone: (message: string) => void }) {
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
                  setError(fields.url ?? (err instanceof ApiClientError ? err.message : NETWORK_ERROR_MESSAGE));
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

export function RotateSecret({ w, onRotated, onCancel }: ActionProps & { onRotated: (r: RevealedSecret) => void }) {
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
    onError: (err) => setError(err instanceof ApiClientError ? err.message : NETWORK_ERROR_MESSAGE),
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

export function DeleteWebhook({ w, onCancel }: ActionProps) {
  const qc = useQueryClient();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const toast = useToast();
  const remove = useMutation({
    mutationFn: () => apiFetch<{ id: string; deleted: boolean }>(webhookPath(w.id), { method: "DELETE" }),
    onSuccess: () => {
      qc.removeQueries({ queryKey: keys.detail(w.id) });
      qc.setQueryData<WebhookView[]>(keys.list, (list) => list?.filter((x) => x.id !== w.id));
      void qc.invalidateQueries({ queryKey: keys.list });
      void qc.invalidateQueries({ queryKey: keys.sparklines });
      void qc.invalidateQueries({ queryKey: keys.deleted });
      toast({
        message: `Webhook deleted: deliveries to ${w.url} have stopped. Its delivery log is kept for 30 days.`,
        action: { label: "View its delivery log", href: `/webhooks/${encodeURIComponent(w.id)}` },
      });
      router.push("/webhooks");
    },
    onError: (err) => setError(err instanceof ApiClientError ? err.message : NETWORK_ERROR_MESSAGE),
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
