import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { env } from "@/lib/env";

/**
 * Reads a JSON body with a size cap and validates it with a zod schema.
 * Malformed JSON → 400 invalid_json; too large → 413; schema failure → 400
 * validation_error naming each field.
 */

export function zodDetails(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : i.code === "unrecognized_keys" ? (i.keys ?? []).join(",") : "(body)",
    message: i.message,
  }));
}

export function zodError(error: z.ZodError, what = "Request body"): ApiError {
  const details = zodDetails(error);
  const first = details[0];
  const summary = first ? (first.field === "(body)" ? first.message : `${first.field}: ${first.message}`) : "invalid input";
  return new ApiError(400, "validation_error", `${what} is invalid: ${summary}`, details);
}

/** Reads the body as text (size-capped, JSON content type) and parses it. */
export async function readJsonWithText(req: Request): Promise<{ json: unknown; text: string }> {
  const limit = env().API_MAX_BODY_BYTES;
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new ApiError(413, "payload_too_large", `Request body exceeds ${limit} bytes`);
  const type = req.headers.get("content-type") ?? "";
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/json");
  }
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
  if (text.trim() === "") throw new ApiError(400, "invalid_json", "Request body must be a JSON object");
  try {
    return { json: JSON.parse(text) as unknown, text };
  } catch (err) {
    throw new ApiError(400, "invalid_json", `Malformed JSON: ${(err as Error).message}`);
  }
}

export async function readJson(req: Request): Promise<unknown> {
  return (await readJsonWithText(req)).json;
}

export function validate<S extends z.ZodType>(value: unknown, schema: S): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw zodError(result.error);
  return result.data;
}

export async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  return validate(await readJson(req), schema);
}

export function parseQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const result = schema.safeParse(params);
  if (!result.success) throw zodError(result.error, "Query");
  return result.data;
}
