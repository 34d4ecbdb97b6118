"use client";

import { Button } from "@/components/ui/button";
import { ApiClientError, NETWORK_ERROR_MESSAGE } from "@/lib/client/fetcher";

/**
 * What a page or card shows when its data could not be loaded: a plain
 * sentence (never "Failed to fetch"), and a Try again button.
 */
export function LoadError({
  what,
  error,
  onRetry,
  retrying = false,
  className = "p-6",
}: {
  /** e.g. "webhooks", "deliveries" */
  what: string;
  error: Error;
  onRetry: () => void;
  retrying?: boolean;
  className?: string;
}) {
  const message = error instanceof ApiClientError ? error.message : NETWORK_ERROR_MESSAGE;
  return (
    <div role="alert" data-testid="load-error" className={`flex flex-wrap items-center gap-3 text-sm ${className}`}>
      <div className="min-w-0 flex-1">
        <p className="font-medium text-slate-900">Could not load {what}.</p>
        <p className="text-slate-600">{message}</p>
      </div>
      <Button variant="secondary" onClick={onRetry} disabled={retrying}>
        {retrying ? "Trying again…" : "Try again"}
      </Button>
    </div>
  );
}
