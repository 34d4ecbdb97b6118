import { z } from "zod";
import { phone } from "@/lib/events/catalog/define";

/**
 * The field list of an event's `data`, derived from the JSON Schema that
 * `GET /api/v1/event-types` publishes (z.toJSONSchema(schema, {io: "input"})),
 * so the docs and the API describe the same thing.
 */

type JsonSchema = z.core.JSONSchema.JSONSchema;
type AnySchema = z.core.JSONSchema._JSONSchema;

export type FieldRow = {
  /** Dotted path inside `data`, e.g. `customer.phone`. */
  path: string;
  /** Nesting depth (0 for top-level fields). */
  depth: number;
  type: string;
  required: boolean;
  /** Constraints and formats in words. */
  notes: string[];
};

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
}

const PHONE_PATTERN = jsonSchemaOf(phone).pattern;

const FORMAT_TYPES: Record<string, string> = {
  "date-time": "string (date-time)",
  email: "string (email)",
  uri: "string (URL)",
  uuid: "string (UUID)",
};

function typeNames(s: JsonSchema): string[] {
  if (s.anyOf ?? s.oneOf) return (s.anyOf ?? s.oneOf ?? []).flatMap(typeNames);
  const t = s.type;
  if (t === undefined) return s.enum || s.const !== undefined ? [] : ["any"];
  return Array.isArray(t) ? t : [t];
}

function typeLabel(s: JsonSchema): string {
  if (s.format && FORMAT_TYPES[s.format]) return FORMAT_TYPES[s.format] ?? "string";
  if (s.pattern && s.pattern === PHONE_PATTERN) return "string (phone)";
  const names = typeNames(s);
  if (names.includes("array") && typeof s.items === "object" && !Array.isArray(s.items)) {
    return `array of ${typeLabel(s.items)}`;
  }
  if (names.length === 0 && s.enum)
    return [...new Set(s.enum.map((v) => (v === null ? "null" : typeof v)))].join(" | ");
  return names.join(" | ") || "any";
}

const n = (x: number) => x.toLocaleString("en-US");

function quote(v: string | number | boolean | null): string {
  return typeof v === "string" ? `"${v}"` : String(v);
}

function describe(s: JsonSchema): string[] {
  const notes: string[] = [];
  if (s.description) notes.push(s.description);
  if (s.enum) notes.push(`One of ${s.enum.map(quote).join(", ")}`);
  if (s.const !== undefined) notes.push(`Always ${quote(s.const)}`);
  if (s.format === "date-time") notes.push("ISO 8601 with a UTC offset, e.g. 2026-04-18T14:23:10.000Z");
  if (s.pattern && s.pattern === PHONE_PATTERN) notes.push("E.164 phone number, e.g. +14155550123");
  else if (s.format === "starts_with" && s.pattern) {
    const prefix = /^\^(.*)\.\*$/.exec(s.pattern)?.[1];
    notes.push(prefix ? `Starts with ${prefix.replace(/\\(.)/g, "$1")}` : `Matches ${s.pattern}`);
  } else if (s.pattern && !s.format) notes.push(`Matches ${s.pattern}`);
  if (s.minLength !== undefined && s.maxLength !== undefined)
    notes.push(`${n(s.minLength)}–${n(s.maxLength)} characters`);
  else if (s.maxLength !== undefined) notes.push(`At most ${n(s.maxLength)} characters`);
  else if (s.minLength !== undefined) notes.push(`At least ${n(s.minLength)} characters`);
  if (typeof s.minimum === "number") notes.push(`≥ ${n(s.minimum)}`);
  if (typeof s.maximum === "number" && s.maximum < Number.MAX_SAFE_INTEGER) notes.push(`≤ ${n(s.maximum)}`);
  return notes;
}

function walk(s: JsonSchema, prefix: string, depth: number, rows: FieldRow[]) {
  const required = new Set(s.required ?? []);
  for (const [name, child] of Object.entries(s.properties ?? {})) {
    const node: JsonSchema = typeof child === "boolean" ? {} : child;
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push({ path, depth, type: typeLabel(node), required: required.has(name), notes: describe(node) });
    if (node.properties) walk(node, path, depth + 1, rows);
    const items: AnySchema | AnySchema[] | undefined = node.items;
    if (items && typeof items === "object" && !Array.isArray(items) && items.properties)
      walk(items, `${path}[]`, depth + 1, rows);
  }
}

/** Every field of `data` (nested objects flattened with dotted paths), in schema order. */
export function fieldRows(schema: z.ZodType): FieldRow[] {
  const rows: FieldRow[] = [];
  walk(jsonSchemaOf(schema), "", 0, rows);
  return rows;
}
