import type { DeliveryView } from "@/components/webhooks/api";

/** Small status and label pills shared by the webhook and delivery views. */

export function EventBadge({ type }: { type: string }) {
  return (
    <span className="inline-flex rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700">{type}</span>
  );
}

export function ActiveBadge({ isActive, reason }: { isActive: boolean; reason: string | null }) {
  return isActive ? (
    <span className="inline-flex items-center gap-1 rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-700 ring-1 ring-emerald-200 ring-inset">
      <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-emerald-500" />
      Active
    </span>
  ) : (
    <span className="inline-flex flex-col items-start gap-0.5">
      <span className="inline-flex items-center gap-1 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 ring-1 ring-slate-300 ring-inset">
        <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-slate-400" />
        Disabled
      </span>
      {reason ? <span className="text-xs text-slate-500">{reason}</span> : null}
    </span>
  );
}

const STATUS_STYLE: Record<DeliveryView["status"], string> = {
  pending: "bg-amber-50 text-amber-800 ring-amber-200",
  succeeded: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  failed: "bg-red-50 text-red-700 ring-red-200",
  cancelled: "bg-slate-100 text-slate-600 ring-slate-300",
};

const STATUS_LABEL: Record<DeliveryView["status"], string> = {
  pending: "Pending",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
};

export function DeliveryStatusBadge({ status }: { status: DeliveryView["status"] }) {
  return (
    <span
      data-testid="delivery-status"
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${STATUS_STYLE[status]}`}
    >
      {status === "pending" ? (
        <span aria-hidden className="h-1.5 w-1.5 animate-pulse rounded-full bg-amber-500" />
      ) : null}
      {STATUS_LABEL[status]}
    </span>
  );
}

export function KindBadge({ kind }: { kind: DeliveryView["kind"] }) {
  if (kind === "event") return null;
  return (
    <span
      className={`inline-flex rounded px-1.5 py-0.5 text-xs font-medium ${kind === "test" ? "bg-sky-50 text-sky-700" : "bg-violet-50 text-violet-700"}`}
    >
      {kind === "test" ? "Test" : "Replay"}
    </span>
  );
}
