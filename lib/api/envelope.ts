import { ApiError } from "@/lib/errors";

/** The one response shape of /api/v1: `{success:true, data}` or `{success:false, error}`. */

export type ErrorBody = { success: false; error: { code: string; message: string; details?: unknown } };

export function ok<T>(
  data: T,
  init?: { status?: number; headers?: HeadersInit; extra?: Record<string, unknown> },
): Response {
  return Response.json(
    { success: true, data, ...init?.extra },
    { status: init?.status ?? 200, headers: init?.headers },
  );
}

export function errorResponse(err: ApiError): Response {
  const body: ErrorBody = {
    success: false,
    error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) },
  };
  return Response.json(body, { status: err.status, headers: err.headers });
}
