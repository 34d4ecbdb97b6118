"use client";

import { useEffect, useLayoutEffect, useRef } from "react";

/**
 * Gives focus back to what had it before a dialog opened, once it closes.
 * Radix returns focus to its own Dialog.Trigger, and the shared Dialog is
 * opened from state instead, so without this a keyboard user lands on
 * <body> after closing a dialog. `fallbackId` names the element to focus
 * when nothing was focused before (dialogs opened by a mutation's result).
 */
export function useReturnFocus(open: boolean, fallbackId?: string): void {
  const returnTo = useRef<HTMLElement | null>(null);
  const wasOpen = useRef(false);
  const closedNow = useRef(false);

  // Before Radix moves focus into the dialog (its focus scope does that in a passive effect).
  useLayoutEffect(() => {
    if (open && !wasOpen.current) {
      const active = document.activeElement;
      returnTo.current =
        active instanceof HTMLElement && active !== document.body && !active.closest('[role="dialog"]') ? active : null;
    }
    closedNow.current = wasOpen.current && !open;
    wasOpen.current = open;
  }, [open]);

  // After Radix's own close handling (its focus scope schedules it while unmounting, before this runs).
  useEffect(() => {
    if (!closedNow.current) return;
    closedNow.current = false;
    const target = returnTo.current;
    returnTo.current = null;
    const t = window.setTimeout(() => {
      if (document.querySelector('[role="dialog"]')) return; // another dialog took over (e.g. the secret reveal)
      const el = target?.isConnected ? target : fallbackId ? document.getElementById(fallbackId) : null;
      el?.focus();
    }, 0);
    return () => window.clearTimeout(t);
  }, [open, fallbackId]);
}
