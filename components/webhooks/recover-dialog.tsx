"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { keys, webhookPath, type WebhookView } from "@/components/webhooks/api";
import { useReturnFocus } from "@/components/webhooks/use-return-focus";
import { apiFetch, ApiClientError, NETWORK_ERROR_MESSAGE } from "@/lib/client/fetcher";
import type { RecoveryView } from "@/lib/recovery/schemas";

/**
 * "Recover failed deliveries…" on the webhook detail page: pick a time
 * window, see how many failed deliveries it holds (the dry run, GET
 * …/recover), start the recovery (POST …/recover) and watch its progress
 * (GET …/recoveries/:id, polled while it runs). Closing the dialog does not
 * stop the recovery; reopening it shows the same progress.
 */

type Preset = "1h" | "24h" | "7d" | "custom";
const PRESETS: { value: Preset; label: string; ms: number }[] = [
  { value: "1h", label: "Last hour", ms: 3600_000 },
  { value: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { value: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { value: "custom", label: "Custom range", ms: 0 },
];

type Window = { since: string; until: string };

/** `datetime-local` value (local time, minutes) of a date. */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function presetWindow(preset: Preset): Window {
  const now = Date.now();
  const ms = PRESETS.find((p) => p.value === preset)?.ms ?? 3600_000;
  return { since: new Date(now - ms).toISOString(), until: new Date(now).toISOString() };
}

function customWindow(from: string, to: string): Window | null {
  const since = new Date(from);
  const until = new Date(to);
  if (!from || !to || Number.isNaN(since.getTime()) || Number.isNaN(until.getTime())) return null;
  return { since: since.toISOString(), until: until.toISOString() };
}

const recoverPath = (id: string) => `${webhookPath(id)}/recover`;
const errorText = (err: unknown) => (err instanceof ApiClientError ? err.message : NETWORK_ERROR_MESSAGE);

/** The running recovery's id from a 409 (`details.recoveryId`), if that is what the error is. */
function runningRecoveryId(err: unknown): string | null {
  if (!(err instanceof ApiClientError) || err.status !== 409) return null;
  const details = err.details as { recoveryId?: unknown } | undefined;
  return typeof details?.recoveryId === "string" ? details.recoveryId : null;
}

export function RecoverFailedDeliveries({ w, onAnnounce }: { w: WebhookView; onAnnounce: (m: string) => void }) {
  const [open, setOpen] = useState(false);
  const [recoveryId, setRecoveryId] = useState<string | null>(null);
  useReturnFocus(open, "webhook-recover");
  // Opened while a recovery runs (started before a reload, or elsewhere): show its progress, not the form.
  const recent = useQuery({
    queryKey: [...keys.detail(w.id), "recoveries"],
    queryFn: () => apiFetch<RecoveryView[]>(`${webhookPath(w.id)}/recoveries`),
    enabled: open && recoveryId === null,
    staleTime: 0,
  });
  const [dismissed, setDismissed] = useState<string | null>(null);
  const running = recent.data?.find((r) => r.status === "running" && r.id !== dismissed);
  const shown = recoveryId ?? running?.id ?? null;

  return (
    <>
      <Button id="webhook-recover" variant="secondary" onClick={() => setOpen(true)}>
        Recover failed deliveries…
      </Button>
      <Dialog
        open={open}
        onOpenChange={(next) => {
          setOpen(next);
          // reopened, it shows a recovery still running (from the list), else the form
          if (!next) setRecoveryId(null);
        }}
        title="Recover failed deliveries"
        description="Replays every delivery to this endpoint that failed in a time window, once each, with its original webhook-id, to the current URL and signed with the current secret. Replays never count toward auto-disable."
      >
        {shown ? (
          <RecoveryProgress
            w={w}
            recoveryId={shown}
            onAnnounce={onAnnounce}
            onClose={() => {
              setOpen(false);
              setRecoveryId(null);
            }}
            onAnother={() => {
              setDismissed(shown);
              setRecoveryId(null);
            }}
          />
        ) : (
          <RecoverForm w={w} onStarted={setRecoveryId} onAnnounce={onAnnounce} onCancel={() => setOpen(false)} />
        )}
      </Dialog>
    </>
  );
}

function RecoverForm({
  w,
  onStarted,
  onAnnounce,
  onCancel,
}: {
  w: WebhookView;
  onStarted: (recoveryId: string) => void;
  onAnnounce: (m: string) => void;
  onCancel: () => void;
}) {
  const qc = useQueryClient();
  const uid = useId();
  const [preset, setPreset] = useState<Preset>("24h");
  const [presetWin, setPresetWin] = useState<Window>(() => presetWindow("24h"));
  const [from, setFrom] = useState(() => localInput(new Date(Date.now() - 3600_000)));
  const [to, setTo] = useState(() => localInput(new Date()));
  const chosen = preset === "custom" ? customWindow(from, to) : presetWin;

  const preview = useQuery({
    queryKey: [...keys.detail(w.id), "recover-preview", chosen?.since ?? "", chosen?.until ?? ""],
    queryFn: () =>
      apiFetch<{ total: number }>(
        `${recoverPath(w.id)}?${new URLSearchParams({ since: chosen!.since, until: chosen!.until }).toString()}`,
      ),
    enabled: chosen !== null,
    retry: false,
  });

  const start = useMutation({
    mutationFn: (body: Window) => apiFetch<RecoveryView>(recoverPath(w.id), { method: "POST", body }),
    onSuccess: (r) => {
      qc.setQueryData([...keys.detail(w.id), "recovery", r.id], r);
      void qc.invalidateQueries({ queryKey: [...keys.detail(w.id), "recoveries"] });
      onAnnounce(`Recovery started: ${r.total} ${r.total === 1 ? "delivery" : "deliveries"} to replay.`);
      onStarted(r.id);
    },
    onError: (err) => {
      const running = runningRecoveryId(err);
      if (running) {
        onAnnounce("A recovery of this endpoint is already running: showing its progress.");
        onStarted(running);
      }
    },
  });

  const total = preview.data?.total;
  const fieldError = (name: string) =>
    preview.error instanceof ApiClientError ? preview.error.fieldErrors()[name] : undefined;

  return (
    <form
      className="space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (!chosen) return;
        // a preset reaches back from the moment it is sent
        start.mutate(preset === "custom" ? chosen : presetWindow(preset));
      }}
    >
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Time window</legend>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {PRESETS.map((p) => (
            <label
              key={p.value}
              className="flex cursor-pointer items-center gap-2 rounded-md px-3 py-2 text-sm text-slate-800 ring-1 ring-slate-300 ring-inset has-checked:bg-indigo-50 has-checked:ring-indigo-600"
            >
              <input
                type="radio"
                name={`${uid}-window`}
                value={p.value}
                checked={preset === p.value}
                onChange={() => {
                  setPreset(p.value);
                  if (p.value !== "custom") setPresetWin(presetWindow(p.value));
                }}
                className="accent-indigo-600"
              />
              {p.label}
            </label>
          ))}
        </div>
      </fieldset>

      {preset === "custom" ? (
        <div className="grid gap-3 sm:grid-cols-2">
          <Field
            id={`${uid}-from`}
            label="From"
            type="datetime-local"
            value={from}
            max={localInput(new Date())}
            onChange={(e) => setFrom(e.target.value)}
            error={fieldError("since")}
          />
          <Field
            id={`${uid}-to`}
            label="To"
            type="datetime-local"
            value={to}
            max={localInput(new Date())}
            onChange={(e) => setTo(e.target.value)}
            error={fieldError("until")}
          />
          <p className="text-xs text-slate-600 sm:col-span-2">
            Your local time. At most 14 days back; the end may not be in the future.
          </p>
        </div>
      ) : null}

      <div role="status" aria-live="polite" className="rounded-md bg-slate-50 p-3 text-sm text-slate-800">
        {chosen === null ? (
          "Choose when the window starts and ends."
        ) : preview.isPending ? (
          "Counting failed deliveries…"
        ) : preview.isError ? (
          <span className="text-red-700">{errorText(preview.error)}</span>
        ) : total === 0 ? (
          "No failed deliveries in this window: nothing to recover."
        ) : (
          <span data-testid="recover-count">
            <strong>{total}</strong> failed {total === 1 ? "delivery" : "deliveries"} will be replayed, oldest first, at
            the endpoint&apos;s delivery rate.
          </span>
        )}
      </div>

      {start.isError && !runningRecoveryId(start.error) ? (
        <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700">
          {errorText(start.error)}
        </p>
      ) : null}

      <DialogFooter>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <Button type="submit" disabled={!total || start.isPending}>
          {start.isPending
            ? "Starting…"
            : total
              ? `Replay ${total} ${total === 1 ? "delivery" : "deliveries"}`
              : "Replay deliveries"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function RecoveryProgress({
  w,
  recoveryId,
  onAnnounce,
  onClose,
  onAnother,
}: {
  w: WebhookView;
  recoveryId: string;
  onAnnounce: (m: string) => void;
  onClose: () => void;
  onAnother: () => void;
}) {
  const qc = useQueryClient();
  const recovery = useQuery({
    queryKey: [...keys.detail(w.id), "recovery", recoveryId],
    queryFn: () => apiFetch<RecoveryView>(`${webhookPath(w.id)}/recoveries/${encodeURIComponent(recoveryId)}`),
    refetchInterval: (query) => (query.state.data?.status === "running" || !query.state.data ? 1000 : false),
  });
  const r = recovery.data;
  const finished = r !== undefined && r.status !== "running";
  const settled = useRef<string | null>(null);

  useEffect(() => {
    // once per recovery reaching its end: the log, the failure count and the health panel change
    if (!finished || !r || settled.current === r.id) return;
    settled.current = r.id;
    void qc.invalidateQueries({ queryKey: keys.deliveries(w.id) });
    void qc.invalidateQueries({ queryKey: keys.webhook(w.id) });
    void qc.invalidateQueries({ queryKey: keys.stats(w.id) });
    void qc.invalidateQueries({ queryKey: [...keys.detail(w.id), "recoveries"] });
    onAnnounce(`Recovery ${r.status}: ${r.succeeded} succeeded, ${r.failed} failed.`);
  }, [finished, r, qc, w.id, onAnnounce]);

  if (!r) {
    return recovery.isError ? (
      <p role="alert" className="rounded-md bg-red-50 p-3 text-sm text-red-700">
        {errorText(recovery.error)}
      </p>
    ) : (
      <p className="text-sm text-slate-600">Loading the recovery…</p>
    );
  }

  const pct = r.total === 0 ? 100 : Math.round((r.sent / r.total) * 100);
  return (
    <div className="space-y-4" data-testid="recovery-progress">
      <div>
        <div className="flex justify-between text-sm text-slate-700">
          <span id={`${recoveryId}-label`}>Replays sent</span>
          <span data-testid="recovery-sent">
            {r.sent} of {r.total}
          </span>
        </div>
        <div
          role="progressbar"
          aria-labelledby={`${recoveryId}-label`}
          aria-valuemin={0}
          aria-valuemax={r.total}
          aria-valuenow={r.sent}
          aria-valuetext={`${r.sent} of ${r.total} sent`}
          className="mt-1 h-3 w-full overflow-hidden rounded-full bg-slate-200"
        >
          <div className="h-full rounded-full bg-indigo-600 transition-[width]" style={{ width: `${pct}%` }} />
        </div>
      </div>
      <dl className="grid grid-cols-3 gap-2 text-sm">
        <div>
          <dt className="text-slate-600">Succeeded</dt>
          <dd
            className={`font-semibold ${r.succeeded ? "text-emerald-700" : "text-slate-900"}`}
            data-testid="recovery-succeeded"
          >
            {r.succeeded}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Failed</dt>
          <dd className={`font-semibold ${r.failed ? "text-red-700" : "text-slate-900"}`} data-testid="recovery-failed">
            {r.failed}
          </dd>
        </div>
        <div>
          <dt className="text-slate-600">Status</dt>
          <dd className="font-semibold text-slate-900" data-testid="recovery-status">
            {{ running: "Running", completed: "Completed", cancelled: "Cancelled", failed: "Failed" }[r.status]}
          </dd>
        </div>
      </dl>
      <p role="status" aria-live="polite" className="text-sm text-slate-700">
        {r.status === "running"
          ? "Replaying at the endpoint's delivery rate. You can close this dialog: the recovery goes on."
          : r.status === "completed"
            ? `Done: ${r.succeeded} of ${r.total} replayed successfully${r.failed ? `, ${r.failed} failed again (see the delivery log)` : ""}.`
            : `The recovery stopped${r.error ? `: ${r.error}` : ""}.`}
      </p>
      <DialogFooter>
        {finished ? (
          <Button variant="secondary" onClick={onAnother}>
            Recover another window
          </Button>
        ) : null}
        <Button onClick={onClose}>Close</Button>
      </DialogFooter>
    </div>
  );
}
