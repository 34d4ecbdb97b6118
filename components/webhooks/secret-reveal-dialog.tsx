"use client";

import { OneTimeSecretDialog } from "@/components/ui/one-time-secret-dialog";
import { UrlText } from "@/components/ui/url-text";
import { useReturnFocus } from "@/components/webhooks/use-return-focus";

export type RevealedSecret = { secret: string; reason: "created" | "rotated"; url: string };

/**
 * Shows a plaintext signing secret once. The caller keeps it in component
 * state only (never the query cache, the URL or storage) and drops it when
 * this closes, so it cannot be shown again.
 */
export function SecretRevealDialog({
  revealed,
  onClose,
  returnFocusId,
}: {
  revealed: RevealedSecret | null;
  onClose: () => void;
  /** Where focus goes once it closes (the dialog is opened by a mutation, not a button). */
  returnFocusId: string;
}) {
  useReturnFocus(revealed !== null, returnFocusId);
  return (
    <OneTimeSecretDialog
      value={revealed?.secret ?? null}
      onClose={onClose}
      title={revealed?.reason === "rotated" ? "Your new signing secret" : "Your webhook signing secret"}
      description={
        <>
          Copy it now: <strong>you will not see this secret again</strong>. Store it with your endpoint&apos;s
          configuration and verify each delivery&apos;s <code>webhook-signature</code> with it.
        </>
      }
      copyLabel="Copy secret"
      testId="revealed-secret"
    >
      {revealed?.reason === "rotated" ? (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
          The previous secret no longer signs anything: update your endpoint now.
        </p>
      ) : null}
      <p className="text-xs text-slate-500">
        Endpoint: <UrlText url={revealed?.url ?? ""} className="font-mono" />
      </p>
    </OneTimeSecretDialog>
  );
}
