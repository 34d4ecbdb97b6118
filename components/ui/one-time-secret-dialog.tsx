"use client";

import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogFooter } from "@/components/ui/dialog";

/**
 * Shows a plaintext secret (an API key, a signing secret) once: open while
 * `value` is not null, closed only by its own button. The caller keeps the
 * value in component state only (never the query cache, the URL or storage)
 * and drops it in `onClose`, so it cannot be shown again.
 */
export function OneTimeSecretDialog({
  value,
  onClose,
  title,
  description,
  copyLabel,
  testId,
  children,
}: {
  value: string | null;
  onClose: () => void;
  title: string;
  description: ReactNode;
  copyLabel: string;
  /** data-testid of the element holding the secret */
  testId: string;
  /** shown above the secret */
  children?: ReactNode;
}) {
  return (
    <Dialog
      open={value !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
      dismissible={false}
      title={title}
      description={description}
    >
      <div className="space-y-4">
        {children}
        <code
          data-testid={testId}
          className="block rounded-md bg-code p-3 font-mono text-sm break-all text-code-accent"
        >
          {value}
        </code>
        <DialogFooter>
          <CopyButton value={value ?? ""} label={copyLabel} />
          <Button onClick={onClose}>I have saved it</Button>
        </DialogFooter>
      </div>
    </Dialog>
  );
}
