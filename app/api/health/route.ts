import { readiness } from "@/lib/health";

/**
 * Readiness, for a load balancer or an orchestrator: 200 when the database
 * answers and (embedded mode) the delivery executor runs; 503 with the reason
 * otherwise. Liveness (no dependency checked) is GET /api/health/live.
 */
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const r = await readiness();
  const headers = { "cache-control": "no-store" };
  if (r.ok) return Response.json({ ok: true, checks: r.checks }, { headers });
  const failing = Object.values(r.checks)
    .filter((c) => !c.ok)
    .map((c) => c.detail);
  return Response.json(
    { success: false, error: { code: "unavailable", message: failing.join("; "), details: { checks: r.checks } } },
    { status: 503, headers: { ...headers, "retry-after": "5" } },
  );
}
