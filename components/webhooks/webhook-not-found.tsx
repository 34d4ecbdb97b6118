import Link from "next/link";

/** A webhook this workspace never had, or whose delivery log was purged (or another workspace's). */
export function WebhookNotFound() {
  return (
    <div role="alert" className="rounded-lg bg-surface p-6 shadow" data-testid="not-found">
      <h1 className="font-medium text-slate-900">Webhook not found</h1>
      <p className="mt-1 text-sm text-slate-600">
        It may have been deleted (and its logs purged), or it belongs to another workspace.
      </p>
      <Link href="/webhooks" className="mt-4 inline-block text-sm font-medium text-indigo-700 hover:underline">
        ← Back to webhooks
      </Link>
    </div>
  );
}
