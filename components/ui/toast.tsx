"use client";

import Link from "next/link";
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

export type Toast = { message: string; action?: { label: string; href: string } };
type Shown = Toast & { id: number };

const ToastContext = createContext<(toast: Toast) => void>(() => undefined);

/** Shows a confirmation (e.g. "Webhook deleted") that survives client-side navigation. */
export function useToast(): (toast: Toast) => void {
  return useContext(ToastContext);
}

const TOAST_MS = 10_000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Shown[]>([]);
  const show = useCallback((toast: Toast) => {
    setToasts((list) => [...list.slice(-2), { ...toast, id: Date.now() + Math.random() }]);
  }, []);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);

  return (
    <ToastContext.Provider value={show}>
      {children}
      <div
        role="status"
        aria-live="polite"
        className="pointer-events-none fixed inset-x-0 bottom-0 z-50 flex flex-col items-center gap-2 p-4 sm:items-end"
      >
        {toasts.map((t) => (
          <ToastItem key={t.id} toast={t} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Shown; onDismiss: (id: number) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), TOAST_MS);
    return () => clearTimeout(timer);
  }, [onDismiss, toast.id]);
  return (
    <div
      data-testid="toast"
      className="pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg bg-surface p-4 text-sm shadow-lg ring-1 ring-slate-200"
    >
      <div className="min-w-0 flex-1">
        <p className="text-slate-900">{toast.message}</p>
        {toast.action ? (
          <Link
            href={toast.action.href}
            onClick={() => onDismiss(toast.id)}
            className="mt-1 inline-block font-medium text-indigo-700 underline"
          >
            {toast.action.label}
          </Link>
        ) : null}
      </div>
      <button
        type="button"
        onClick={() => onDismiss(toast.id)}
        aria-label="Dismiss"
        className="rounded px-1 text-slate-500 hover:text-slate-900"
      >
        ×
      </button>
    </div>
  );
}
