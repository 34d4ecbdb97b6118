"use client";

import { useState } from "react";
import { DeliveryLog } from "@/components/deliveries/delivery-log";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { LoadError } from "@/components/ui/load-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { UrlText } from "@/components/ui/url-text";
import { isNotFound, useWebhook, type WebhookView } from "@/components/webhooks/api";
import { ActiveBadge, EventBadge } from "@/components/webhooks/badges";
import { DetailSkeleton } from "@/components/webhooks/detail-skeleton";
import { BackLink, DeletedWebhookPage } from "@/components/webhooks/deleted-webhook-page";
import { HealthPanel } from "@/components/webhooks/health-panel";
import { SecretRevealDialog, type RevealedSecret } from "@/components/webhooks/secret-reveal-dialog";
import { RecoverFailedDeliveries } from "@/components/webhooks/recover-dialog";
import { TestEventPanel } from "@/components/webhooks/test-event-panel";
import { useReturnFocus } from "@/components/webhooks/use-return-focus";
import { DeleteWebhook, EditForm, RotateSecret, ToggleActive } from "@/components/webhooks/webhook-actions";

export function WebhookDetailPage({ id }: { id: string }) {
  const webhook = useWebhook(id);
  const [announce, setAnnounce] = useState("");

  if (webhook.isPending) return <DetailSkeleton />;
  // a deleted webhook's log stays readable until retention: that page tells "deleted" from "not found"
  if (webhook.isError && isNotFound(webhook.error)) return <DeletedWebhookPage id={id} />;
  if (webhook.isError) {
    return (
      <div className="space-y-4">
        <BackLink />
        <div className="rounded-lg bg-surface shadow">
          <LoadError
            what="this webhook"
            error={webhook.error}
            retrying={webhook.isFetching}
            onRetry={() => void webhook.refetch()}
          />
        </div>
      </div>
    );
  }
  const w = webhook.data;

  return (
    <div className="space-y-6">
      <BackLink />
      <p role="status" aria-live="polite" className="sr-only" data-testid="announcer">
        {announce}
      </p>
      <Header w={w} onAnnounce={setAnnounce} />
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <HealthPanel webhookId={w.id} />
        <TestEventPanel w={w} onAnnounce={setAnnounce} />
      </div>
      <DeliveryLog webhookId={w.id} canReplay />
    </div>
  );
}

/** The one dialog the header shows at a time (the secret reveal follows a rotation). */
type Modal =
  | { kind: "none" }
  | { kind: "edit" }
  | { kind: "toggle" }
  | { kind: "rotate" }
  | { kind: "delete" }
  | { kind: "reveal"; revealed: RevealedSecret };

const ACTIONS = [
  { kind: "edit", id: "webhook-edit" },
  { kind: "toggle", id: "webhook-toggle" },
  { kind: "rotate", id: "webhook-rotate" },
  { kind: "delete", id: "webhook-delete" },
] as const;

function Header({ w, onAnnounce }: { w: WebhookView; onAnnounce: (m: string) => void }) {
  const [modal, setModal] = useState<Modal>({ kind: "none" });
  const close = () => setModal({ kind: "none" });
  const done = (message: string) => {
    close();
    onAnnounce(message);
  };
  const dialogProps = (kind: Modal["kind"]) => ({
    open: modal.kind === kind,
    onOpenChange: (open: boolean) => setModal(open ? modal : { kind: "none" }),
  });
  useReturnFocus(modal.kind === "edit", "webhook-edit");
  useReturnFocus(modal.kind === "toggle", "webhook-toggle");
  useReturnFocus(modal.kind === "rotate", "webhook-rotate");
  useReturnFocus(modal.kind === "delete", "webhook-delete");

  const labels = {
    edit: "Edit",
    toggle: w.isActive ? "Disable" : "Re-enable",
    rotate: "Rotate secret",
    delete: "Delete",
  };

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
          {ACTIONS.map((a) => (
            <Button
              key={a.kind}
              id={a.id}
              variant={a.kind === "delete" ? "danger" : "secondary"}
              onClick={() => setModal({ kind: a.kind })}
            >
              {labels[a.kind]}
            </Button>
          ))}
          <RecoverFailedDeliveries w={w} onAnnounce={onAnnounce} />
        </div>
      </div>

      <WebhookFacts w={w} />

      <Dialog
        {...dialogProps("edit")}
        title="Edit endpoint"
        description="Changing the URL sends a probe to the new URL first; the change is refused if it does not answer 2xx."
      >
        <EditForm w={w} onDone={done} onCancel={close} />
      </Dialog>

      <Dialog
        {...dialogProps("toggle")}
        title={w.isActive ? "Disable this endpoint?" : "Re-enable this endpoint?"}
        description={
          w.isActive
            ? "While disabled, new events are not delivered to it and scheduled retries are cancelled. Test events and replays still work."
            : "We send a signed probe to your endpoint first: it must answer 2xx within 10 seconds, or it stays disabled."
        }
      >
        <ToggleActive w={w} onDone={done} onCancel={close} />
      </Dialog>

      <Dialog
        {...dialogProps("rotate")}
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
          onRotated={(revealed) => {
            setModal({ kind: "reveal", revealed });
            onAnnounce("Signing secret rotated.");
          }}
          onCancel={close}
        />
      </Dialog>

      <Dialog
        {...dialogProps("delete")}
        title="Delete this webhook?"
        description={
          <>
            Deliveries to <UrlText url={w.url} className="font-mono" /> stop immediately, including scheduled retries.
            This cannot be undone. Its delivery log is kept for 30 days: you can open it from the webhooks page, and
            through the API.
          </>
        }
      >
        <DeleteWebhook w={w} onCancel={close} />
      </Dialog>

      <SecretRevealDialog
        revealed={modal.kind === "reveal" ? modal.revealed : null}
        onClose={close}
        returnFocusId="webhook-rotate"
      />
    </section>
  );
}

function WebhookFacts({ w }: { w: WebhookView }) {
  return (
    <dl className="mt-4 grid grid-cols-2 gap-4 text-sm sm:grid-cols-4">
      <div>
        <dt className="text-slate-500">Last triggered</dt>
        <dd>{w.lastTriggeredAt ? <RelativeTime iso={w.lastTriggeredAt} /> : "Never"}</dd>
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
          <RelativeTime iso={w.createdAt} />
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
  );
}
