"use client";

import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";
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
    <Dialog
      open={revealed !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      dismissible={false}
      title={revealed?.reason === "rotated" ? "Your new signing secret" : "Your webhook signing secret"}
      description={
        <>
          Copy it now: <strong>you will not see this secret again</strong>. Store it with your endpoint&apos;s
          configuration and verify each delivery&apos;s <code>webhook-signature</code> with it.
        </>
      }
    >
      <div className="space-y-4">
        {revealed?.reason === "rotated" ? (
          <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900">
            The previous secret no longer signs anything: update your endpoint now.
          </p>
        ) : null}
        <p className="text-xs break-all text-slate-500">
          Endpoint: <span className="font-mono">{revealed?.url}</span>
        </p>
        <code
          data-testid="revealed-secret"
          className="block rounded-md bg-slate-900 p-3 font-mono text-sm break-all text-green-300"
        >
          {revealed?.secret}
        </code>
        <div className="flex flex-wrap justify-end gap-2">
          <CopyButton value={revealed?.secret ?? ""} label="Copy secret" />
          <Button onClick={onClose}>I have saved it</Button>
        </div>
      </div>
    </Dialog>
  );
}
