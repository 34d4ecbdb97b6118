/** Errors that map to the API's error envelope `{success:false, error:{code, message, details?}}`. */

export type ErrorCode =
  | "invalid_json"
  | "validation_error"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "quota_exceeded"
  | "method_not_allowed"
  | "rate_limited"
  | "probe_failed"
  | "internal_error";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const notFound = (what = "Resource") => new ApiError(404, "not_found", `${what} not found`);
export const unauthorized = (
  message = "Missing or invalid credentials: send `Authorization: Bearer <api key>` or sign in",
) => new ApiError(401, "unauthorized", message);
