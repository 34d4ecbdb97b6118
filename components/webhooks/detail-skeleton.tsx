/** The detail page's layout while it loads: the same boxes at their final sizes, so nothing moves when it arrives. */
export function DetailSkeleton() {
  const block = "animate-pulse rounded bg-slate-100";
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading webhook">
      <div className={`h-5 w-40 ${block}`} />
      <div className="h-64 rounded-lg bg-surface p-4 shadow sm:p-6">
        <div className={`h-6 w-2/3 ${block}`} />
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="h-[27rem] rounded-lg bg-surface shadow" />
        <div className="h-64 rounded-lg bg-surface shadow" />
      </div>
      <div className="h-96 rounded-lg bg-surface shadow" />
    </div>
  );
}
