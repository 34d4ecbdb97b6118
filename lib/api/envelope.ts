import { ApiError } from "@/lib/errors";

/** The one response shape of /api/v1: `{success:true, data}` or `{success:false, error}`. */

export type ErrorBody = { success: false; error: { code: string; message: string; details?: unknown } };

/**
 * A JSON response that states its Content-Length. Next.js compresses responses (gzip, when the client
 * accepts it) unless their Content-Length is below 1 KB; a streamed body has none, so every answer was
 * gzipped — a zlib stream per response, costing more CPU than it saves bytes on the small envelopes most
 * API answers are. Larger answers (lists) are still compressed.
 */
export function jsonResponse(body: unknown, init: ResponseInit = {}): Response {
  const text = JSON.stringify(body);
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  headers.set("content-length", String(Buffer.byteLength(text)));
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
