import { ApiError } from "@/lib/errors";

/** The one response shape of /api/v1: `{success:true, data}` or `{success:false, error}`. */

export type ErrorBody = { success: false; error: { code: string; message: string; details?: unknown } };

/** Next.js's compression threshold: it gzips answers whose length it does not know or that reach this size. */
const COMPRESSION_THRESHOLD = 1024;

/**
 * A JSON answer of /api/v1, with `Cache-Control: no-store` (tenant data: no cache keeps it) unless the
 * caller sets its own. Next.js gzips every response whose client accepts it unless the response says
 * `no-transform` (it drops a route's Content-Length, which would otherwise let it skip bodies under 1 KB):
 * for a small answer — most envelopes — a zlib stream costs more CPU than it saves bytes, so those say
 * `no-transform` too; larger answers (lists) are still compressed.
 */
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  if (!headers.has("cache-control"))
    headers.set(
      "cache-control",
      Buffer.byteLength(text) < COMPRESSION_THRESHOLD ? "no-store, no-transform" : "no-store",
    );
  return new Response(text, { status: init.status, statusText: init.statusText, headers });
}

export function ok<T>(
  data: T,
  init?: { status?: number; headers?: HeadersInit; extra?: Record<string, unknown> },
): Response {
  return jsonResponse({ success: true, data, ...init?.extra }, { status: init?.status ?? 200, headers: init?.headers });
}

export function errorResponse(err: ApiError): Response {
  const body: ErrorBody = {
    success: false,
    error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
  };
  return jsonResponse(body, { status: err.status, headers: err.headers });
}
