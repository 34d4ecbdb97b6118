/**
 * Text PostgreSQL can store. `text` and `jsonb` refuse U+0000 (`22021` /
 * `22P05`), and `jsonb` also refuses a lone UTF-16 surrogate; a receiver's
 * body, a header or an error message can carry either. They are replaced
 * with U+FFFD, the character a UTF-8 decoder already puts in place of
 * invalid bytes, so what is stored shows where the receiver sent something
 * unstorable.
 */

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(s: string): string {
  return s.replace(UNSTORABLE, "\uFFFD");
}

/** JSON text for a jsonb value: every string in it made storable. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "string" ? storableText(v) : v));
}
