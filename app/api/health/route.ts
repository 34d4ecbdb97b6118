/** Liveness check (and the benchmarks' trivial route): no database, no auth. */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ ok: true });
}
