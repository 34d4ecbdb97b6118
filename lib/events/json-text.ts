/**
 * Works on JSON text that JSON.parse has already accepted, so that an event's
 * `data` keeps the publisher's bytes: key order (integer-like keys included,
 * which JSON.parse would move first), number spellings (`1.0`, `1e3`, big
 * integers) and string escapes. Only insignificant whitespace is dropped.
 */

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/** The end (exclusive) of the JSON string token that starts at `start` (a `"`). */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i + 1;
  }
  throw new Error("unterminated JSON string");
}

/** `text` without whitespace outside strings. */
export function minifyJson(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      i = stringEnd(text, i) - 1;
    } else if (WHITESPACE.has(ch)) {
      out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}

/**
 * The text of the value of member `key` of the JSON object `text` (the last
 * one if the key repeats, as JSON.parse does), minified; undefined when the
 * object has no such member.
 */
export function jsonMemberText(text: string, key: string): string | undefined {
  let depth = 0;
  let found: string | undefined;
  let valueStart = -1;
  let expectKey = false;
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) {
        pendingKey = JSON.parse(text.slice(i, end)) as string;
        expectKey = false;
      }
      i = end - 1;
    } else if (ch === "{" || ch === "[") {
      if (depth === 0 && ch === "{") expectKey = true;
      depth++;
    } else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0 && valueStart >= 0) {
        found = text.slice(valueStart, i);
        valueStart = -1;
      }
    } else if (depth === 1 && ch === ":") {
      if (pendingKey === key) valueStart = i + 1;
      pendingKey = undefined;
    } else if (depth === 1 && ch === ",") {
      if (valueStart >= 0) {
        found = text.slice(valueStart, i);
        valueStart = -1;
      }
      expectKey = true;
    }
  }
  return found === undefined ? undefined : minifyJson(found).trim();
}
