/**
 * The dashboard's one data path: calls /api/v1 (same routes as API users) and
 * unwraps the envelope. Errors keep the API's code, message and field details.
 */

export type FieldError = { field: string; message: string };

export class ApiClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiClientError";
  }

  /** Field-level messages from a validation error, keyed by field name. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as FieldError[])
        if (d && typeof d.field === "string") out[d.field.split(".")[0] ?? d.field] ??= d.message;
    }
    return out;
  }
}

type Envelope<T> =
  | { success: true; data: T; pagination?: Pagination }
  | { success: false; error: { code: string; message: string; details?: unknown } };
export type Pagination = { page: number; limit: number; total: number; totalPages: number };
/** A server type as the browser receives it in JSON: every Date arrives as an ISO string. */
export type Jsonify<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Jsonify<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;

export async function apiFetch<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await apiFetchPage<T>(path, init);
  return res.data;
}

/** The message of a request that never got an answer (offline, server down): never the browser's "Failed to fetch". */
export const NETWORK_ERROR_MESSAGE = "Could not reach the server. Check your connection and try again.";

/** True for an error a retry may cure: no answer at all, or the server's own trouble (5xx, not JSON). */
export function isTransient(err: unknown): boolean {
  return err instanceof ApiClientError && (err.code === "network_error" || err.code === "bad_response");
}

export async function apiFetchPage<T>(
  path: string,
  init?: { method?: string; body?: unknown },
): Promise<{ data: T; pagination?: Pagination }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init?.method ?? "GET",
      headers: init?.body === undefined ? undefined : { "content-type": "application/json" },
      body: init?.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    // fetch rejects only when no response arrived (TypeError "Failed to fetch" in Chromium)
    throw new ApiClientError(0, "network_error", NETWORK_ERROR_MESSAGE);
  }
  let json: Envelope<T>;
  try {
    json = (await res.json()) as Envelope<T>;
  } catch {
    throw new ApiClientError(
      res.status,
      "bad_response",
      `The server could not answer (HTTP ${res.status}). Try again in a moment.`,
    );
  }
  if (!json.success) throw new ApiClientError(res.status, json.error.code, json.error.message, json.error.details);
  return { data: json.data, pagination: json.pagination };
}
