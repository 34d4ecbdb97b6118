import { z } from "zod";
import { ApiError } from "@/lib/errors";
import { env } from "@/lib/env";

/**
 * Reads a JSON body with a size cap and validates it with a zod schema.
 * Malformed JSON → 400 invalid_json; too large → 413; schema failure → 400
 * validation_error naming each field. JSON that PostgreSQL cannot store
 * (a NUL character or an unpaired surrogate in any string or key) or that
 * is nested deeper than MAX_JSON_DEPTH levels → 400 validation_error.
 */

export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function unstorable(s: string): string | null {
  if (s.includes("\u0000")) return "contains a NUL character (\\u0000), which cannot be stored";
  if (LONE_SURROGATE.test(s)) return "contains an unpaired UTF-16 surrogate (not valid Unicode)";
  return null;
}

/** Refuses parsed JSON with strings the database cannot hold or absurd nesting (iterative: no recursion on hostile input). */
export function assertStorableJson(value: unknown): void {
  const field = (path: (string | number)[]) => (path.length ? path.join(".") : "(body)");
  const refuse = (path: (string | number)[], message: string) =>
    new ApiError(400, "validation_error", `Request body is invalid: ${field(path)}: ${message}`, [
      { field: field(path), message },
    ]);
  const stack: { v: unknown; path: (string | number)[] }[] = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      const problem = unstorable(v);
      if (problem) throw refuse(path, problem);
    } else if (v !== null && typeof v === "object") {
      if (path.length >= MAX_JSON_DEPTH) throw refuse(path, `nested deeper than ${MAX_JSON_DEPTH} levels`);
      for (const [k, child] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
        if (typeof k === "string") {
          const problem = unstorable(k);
          if (problem) throw refuse(path, `key ${JSON.stringify(k)} ${problem}`);
        }
        stack.push({ v: child, path: [...path, k] });
      }
    }
  }
}

export function zodDetails(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : i.code === "unrecognized_keys" ? (i.keys ?? []).join(",") : "(body)",
    message: i.message,
  }));
}

export function zodError(error: z.ZodError, what = "Request body"): ApiError {
  const details = zodDetails(error);
  const first = details[0];
  const summary = first
    ? first.field === "(body)"
      ? first.message
      : `${first.field}: ${first.message}`
    : "invalid input";
  return new ApiError(400, "validation_error", `${what} is invalid: ${summary}`, details);
}

/** Reads a body as text, refusing (413) more than `limit` bytes, declared or streamed, before buffering it. */
export async function readTextCapped(req: Request, limit: number): Promise<string> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new ApiError(413, "payload_too_large", `Request body exceeds ${limit} bytes`);
  let text = "";
  if (req.body) {
    const reader = req.body.getReader();
    const decoder = new TextDecoder("utf-8", { fatal: false });
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new ApiError(413, "payload_too_large", `Request body exceeds ${limit} bytes`);
      }
      text += decoder.decode(value, { stream: true });
    }
    text += decoder.decode();
  }
  return text;
}

/** Reads the body as text (size-capped, JSON content type) and parses it. */
export async function readJsonWithText(
  req: Request,
  limit = env().API_MAX_BODY_BYTES,
): Promise<{ json: unknown; text: string }> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new ApiError(413, "payload_too_large", `Request body exceeds ${limit} bytes`);
  const type = req.headers.get("content-type") ?? "";
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/json");
  }
  const text = await readTextCapped(req, limit);
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "Request body must be a JSON object");
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new ApiError(400, "invalid_json", `Malformed JSON: ${(err as Error).message}`);
  }
  assertStorableJson(json);
  return { json, text };
}

export async function readJson(req: Request, limit?: number): Promise<unknown> {
  return (await readJsonWithText(req, limit)).json;
}

export function validate<S extends z.ZodType>(value: unknown, schema: S): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodError(result.error);
  return result.data;
}

export async function parseBody<S extends z.ZodType>(req: Request, schema: S, limit?: number): Promise<z.output<S>> {
  return validate(await readJson(req, limit), schema);
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const result = schema.safeParse(params);
  if (!result.success) throw zodError(result.error, "Query");
  return result.data;
}
