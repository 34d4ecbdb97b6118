/** Liveness (and the benchmarks' trivial route): the process answers. No database, no auth. */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ ok: true }, { headers: { "cache-control": "no-store" } });
}
