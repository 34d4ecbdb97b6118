"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { LoadError } from "@/components/ui/load-error";
import { Dialog, DialogFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { OneTimeSecretDialog } from "@/components/ui/one-time-secret-dialog";
import type { ApiKeyView } from "@/lib/auth/api-keys";
import { apiFetch, ApiClientError, type Jsonify } from "@/lib/client/fetcher";
import { exactTime, relativeTime } from "@/lib/client/format";

type ApiKey = Jsonify<ApiKeyView>;

export function ApiKeysPage() {
  const qc = useQueryClient();
  const keys = useQuery({ queryKey: ["api-keys"], queryFn: () => apiFetch<ApiKey[]>("/api/v1/api-keys") });
  const [createOpen, setCreateOpen] = useState(false);
  const [revealed, setRevealed] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [nameError, setNameError] = useState<string | undefined>();

  const create = useMutation({
    mutationFn: (name: string) =>
      apiFetch<ApiKey & { key: string }>("/api/v1/api-keys", { method: "POST", body: { name } }),
    onSuccess: (created) => {
      setCreateOpen(false);
      setRevealed(created.key); // kept only in component state, never in the query cache
      void qc.invalidateQueries({ queryKey: ["api-keys"] });
    },
    onError: (err) =>
      setNameError(
        err instanceof ApiClientError ? (err.fieldErrors().name ?? err.message) : "Could not create the key",
      ),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => apiFetch(`/api/v1/api-keys/${id}`, { method: "DELETE" }),
    onSuccess: () => {
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: ["api-keys"] });
    },
  });

  function onCreate(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setNameError(undefined);
    create.mutate(String(new FormData(e.currentTarget).get("name") ?? ""));
  }

  return (
    <section aria-labelledby="api-keys-title">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 id="api-keys-title" className="text-2xl font-semibold">
            API keys
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            Use a key as <code className="rounded bg-slate-100 px-1">Authorization: Bearer &lt;key&gt;</code> on{" "}
            <code>/api/v1</code>.
          </p>
        </div>
        <Button onClick={() => setCreateOpen(true)}>Create API key</Button>
      </div>

      <div className="relative mt-6 overflow-x-auto rounded-lg bg-surface shadow">
        {keys.isPending ? (
          <p className="p-6 text-sm text-slate-500">Loading keys…</p>
        ) : keys.isError ? (
          <LoadError
            what="your API keys"
            error={keys.error}
            retrying={keys.isFetching}
            onRetry={() => void keys.refetch()}
          />
        ) : keys.data.length === 0 ? (
          <p className="p-6 text-sm text-slate-500">No API keys yet. Create one to call the API from your backend.</p>
        ) : (
          <KeysTable keys={keys.data} onRevoke={setRevoking} />
        )}
      </div>

      <Dialog
        open={createOpen}
        onOpenChange={setCreateOpen}
        title="Create API key"
        description="Name the key after where it will be used."
      >
        <form onSubmit={onCreate} className="space-y-4">
          <Field
            id="key-name"
            name="name"
            label="Name"
            placeholder="Production backend"
            required
            error={nameError}
            autoFocus
          />
          <DialogFooter>
            <Button variant="secondary" onClick={() => setCreateOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create key"}
            </Button>
          </DialogFooter>
        </form>
      </Dialog>

      <OneTimeSecretDialog
        value={revealed}
        onClose={() => setRevealed(null)}
        title="Your new API key"
        description="Copy it now: you will not see this key again. Store it in your secrets manager."
        copyLabel="Copy key"
        testId="revealed-key"
      />

      <Dialog
        open={revoking !== null}
        onOpenChange={(open) => {
          if (!open) setRevoking(null);
        }}
        title={`Revoke “${revoking?.name ?? ""}”?`}
        description="Requests using this key will be refused with 401 immediately. This cannot be undone."
      >
        <DialogFooter>
          <Button variant="secondary" onClick={() => setRevoking(null)}>
            Cancel
          </Button>
          <Button variant="danger" disabled={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking.id)}>
            {revoke.isPending ? "Revoking…" : "Revoke key"}
          </Button>
        </DialogFooter>
      </Dialog>
    </section>
  );
}

function KeysTable({ keys, onRevoke }: { keys: ApiKey[]; onRevoke: (k: ApiKey) => void }) {
  return (
    <table className="min-w-full divide-y divide-slate-200 text-sm">
      <thead className="bg-slate-50 text-left text-slate-600">
        <tr>
          <th scope="col" className="px-4 py-2 font-medium">
            Name
          </th>
          <th scope="col" className="hidden px-4 py-2 font-medium sm:table-cell">
            Key
          </th>
          <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">
            Created
          </th>
          <th scope="col" className="hidden px-4 py-2 font-medium md:table-cell">
            Last used
          </th>
          <th scope="col" className="px-4 py-2">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {keys.map((k) => (
          <tr key={k.id} data-testid="api-key-row">
            <td className="px-4 py-2">
              <span className="font-medium [overflow-wrap:anywhere]">{k.name}</span>
              {/* on narrow screens the hidden columns' essentials are repeated here */}
              <p className="mt-0.5 text-xs text-slate-500 md:hidden">
                <span className="font-mono sm:hidden">{k.prefix}… · </span>
                created {relativeTime(k.createdAt).toLowerCase()} · last used {relativeTime(k.lastUsedAt).toLowerCase()}
              </p>
            </td>
            <td className="hidden px-4 py-2 font-mono text-slate-600 sm:table-cell">{k.prefix}…</td>
            <td className="hidden px-4 py-2 md:table-cell" title={exactTime(k.createdAt)}>
              {relativeTime(k.createdAt)}
            </td>
            <td className="hidden px-4 py-2 md:table-cell" title={exactTime(k.lastUsedAt)}>
              {relativeTime(k.lastUsedAt)}
            </td>
            <td className="px-4 py-2 text-right">
              <Button variant="ghost" onClick={() => onRevoke(k)} aria-label={`Revoke ${k.name}`}>
                Revoke
              </Button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
