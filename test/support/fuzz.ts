import fc from "fast-check";

/**
 * Generators for API input fuzzing: JSON bodies built as text (so they can
 * hold `__proto__` keys, duplicate keys, numbers like 1e999 and nesting far
 * deeper than JSON.stringify could serialise), nasty strings, boundary
 * numbers and malformed ids. Large values print as a short description in
 * fast-check counterexamples.
 */

/** A JSON object as an ordered list of entries (keys may repeat or be `__proto__`). */
export class JObj {
  constructor(readonly entries: [string, JVal][]) {}
  [fc.toStringMethod](): string {
    return `{${this.entries.map(([k, v]) => `${JSON.stringify(k)}: ${describe(v)}`).join(", ")}}`;
  }
}

/** Literal JSON text spliced in as is (numbers like 1e999, deep nesting). */
export class JRaw {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
  [fc.toStringMethod](): string {
    return `raw(${this.label})`;
  }
}

/** A long string value: `char` repeated `length` times. */
export class JBig {
  constructor(
    readonly char: string,
    readonly length: number,
  ) {}
  [fc.toStringMethod](): string {
    return `${JSON.stringify(this.char)}×${this.length}`;
  }
}

export type JVal = null | boolean | number | string | JVal[] | JObj | JRaw | JBig;

function describe(v: JVal): string {
  if (v instanceof JObj || v instanceof JRaw || v instanceof JBig) return v[fc.toStringMethod]();
  if (Array.isArray(v)) return `[${v.map(describe).join(", ")}]`;
  const s = JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 120)}…(${s.length})` : s;
}

/** JSON text of a generated value (iterative where it matters: raw and big values are spliced). */
export function toJsonText(v: JVal): string {
  if (v instanceof JRaw) return v.text;
  if (v instanceof JBig) return JSON.stringify(v.char.repeat(v.length));
  if (v instanceof JObj) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(",")}]`;
  return JSON.stringify(v);
}

export const PROTO_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** Strings that break naive code: control characters, NUL, lone surrogates, RTL overrides, injections, path tricks. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 30 }), weight: 3 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 30 }), weight: 3 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 15 }), weight: 2 },
  {
    arbitrary: fc
      .tuple(fc.string({ maxLength: 5 }), loneSurrogate, fc.string({ maxLength: 5 }))
      .map(([x, s, y]) => x + s + y),
    weight: 1,
  },
  {
    arbitrary: fc.string({
      unit: fc.constantFrom(
        "\u0000",
        "\u0001",
        "\u001f",
        "\u007f",
        "\u0085",
        "\u2028",
        "\ud800",
        "\udc00",
        "\ufffe",
        "a",
        "é",
        "💥",
      ),
      minLength: 1,
      maxLength: 8,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.constantFrom(
      "",
      " ",
      "\u0000",
      "a\u0000b",
      "\ud800",
      "\udfff",
      "\ud83d\ude00",
      "\u202eevil",
      "\ufeff",
      "null",
      "undefined",
      "NaN",
      "true",
      "[]",
      "{}",
      "__proto__",
      "constructor",
      "../../../etc/passwd",
      "..%2F..%2Fetc",
      "%00",
      "%",
      "' OR 1=1 --",
      '"; DROP TABLE "Webhook"; --',
      "<script>alert(1)</script>",
      "${jndi:ldap://x}",
      "{{7*7}}",
      "\r\nX-Injected: 1",
      "whk_",
      "dlv_",
      "key_",
      "whk_0000000000",
      "call.ended ",
      "CALL.ENDED",
    ),
    weight: 2,
  },
);

export const boundaryNumber: fc.Arbitrary<number> = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  0.5,
  1.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 - 1,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  1_000_000,
  1_000_001,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e-7,
);

/** Number tokens JSON.parse accepts but JSON.stringify never writes. */
export const rawNumber: fc.Arbitrary<JRaw> = fc
  .constantFrom("1e999", "-1e999", "1E400", "-0.0", "1.0e+2", "123456789012345678901234567890")
  .map((t) => new JRaw(t, t));

/** `[[[…1…]]]` or `{"a":{"a":…}}` nested `depth` levels. */
export function nested(depth: number, kind: "array" | "object"): JRaw {
  const text =
    kind === "array" ? "[".repeat(depth) + "1" + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
  return new JRaw(text, `${kind} nested ${depth} deep`);
}

export const deepValue: fc.Arbitrary<JRaw> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 200 }), fc.constantFrom(63, 64, 65, 100, 1000, 3000, 10_000, 50_000)),
    fc.constantFrom("array" as const, "object" as const),
  )
  .map(([d, k]) => nested(d, k));

export const bigString: fc.Arbitrary<JBig> = fc
  .tuple(
    fc.constantFrom("x", "é", "💥", "\u0000", "\\"),
    fc.oneof(fc.integer({ min: 1000, max: 20_000 }), fc.constantFrom(2049, 65_536, 100_000, 140_000)),
  )
  .map(([c, n]) => new JBig(c, n));

export const scalar: fc.Arbitrary<JVal> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  boundaryNumber,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  nastyString,
  rawNumber,
);

export const objectKey: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 10 }), weight: 3 },
  { arbitrary: fc.constantFrom(...PROTO_KEYS), weight: 2 },
  { arbitrary: nastyString, weight: 1 },
);

/** Any JSON value (small), with nasty strings, proto keys and raw numbers; rarely deep or big. */
export const anyValue: fc.Arbitrary<JVal> = fc.letrec<{ v: JVal }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    { arbitrary: scalar, weight: 6 },
    { arbitrary: fc.array(tie("v"), { maxLength: 4 }), weight: 2 },
    { arbitrary: fc.array(fc.tuple(objectKey, tie("v")), { maxLength: 4 }).map((e) => new JObj(e)), weight: 2 },
    { arbitrary: deepValue, weight: 1 },
    { arbitrary: bigString, weight: 1 },
  ),
})).v;

/** A value meant for a field: mostly a valid one, else anything. */
export function fieldValue(valid: fc.Arbitrary<JVal>): fc.Arbitrary<JVal> {
  return fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: anyValue, weight: 1 });
}

/**
 * An object body over known fields: each present or not, valid or not, plus
 * sometimes extra keys (`__proto__`, `constructor`, …) and duplicates.
 */
export function objectBody(fields: Record<string, fc.Arbitrary<JVal>>): fc.Arbitrary<JObj> {
  const names = Object.keys(fields);
  return fc
    .tuple(
      fc.tuple(...names.map((n) => fc.option(fieldValue(fields[n]!), { freq: 8, nil: undefined }))),
      fc.oneof(
        { arbitrary: fc.constant<[string, JVal][]>([]), weight: 3 },
        { arbitrary: fc.array(fc.tuple(objectKey, anyValue), { minLength: 1, maxLength: 2 }), weight: 1 },
      ),
      fc.boolean(),
    )
    .map(([values, extra, extraFirst]) => {
      const known: [string, JVal][] = [];
      values.forEach((v, i) => {
        if (v !== undefined) known.push([names[i]!, v]);
      });
      return new JObj(extraFirst ? [...extra, ...known] : [...known, ...extra]);
    });
}

export type RawBody = { text: string | undefined; contentType: string | undefined; label: string };

const contentType = fc.oneof(
  { arbitrary: fc.constant("application/json"), weight: 12 },
  {
    arbitrary: fc.constantFrom(
      undefined,
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=utf-16",
      "application/merge-patch+json",
      "APPLICATION/JSON",
      "application/jsonx",
    ),
    weight: 1,
  },
);

/** Request bodies: mostly shaped objects of the route's fields, else any JSON, broken JSON, deep or huge. */
export function bodyArb(fields: Record<string, fc.Arbitrary<JVal>>): fc.Arbitrary<RawBody> {
  const json = fc.oneof(
    { arbitrary: objectBody(fields), weight: 8 },
    { arbitrary: anyValue, weight: 2 },
    { arbitrary: deepValue, weight: 1 },
    {
      arbitrary: objectBody(fields).map((o) => new JObj([...o.entries, ["padding", new JBig("x", 300_000)]])),
      weight: 1,
    },
  );
  const text: fc.Arbitrary<{ text: string | undefined; label: string }> = fc.oneof(
    { arbitrary: json.map((v) => ({ text: toJsonText(v), label: describe(v) })), weight: 12 },
    {
      arbitrary: fc
        .oneof(
          fc.string({ maxLength: 40 }),
          fc.constantFrom(
            "",
            " ",
            "{",
            "[",
            '{"a":',
            "{'a':1}",
            "nul",
            "\u0000",
            "\ufeff{}",
            '{"a":1}garbage',
            "1 2",
            "/* */{}",
            '{"a":NaN}',
            '{"a":Infinity}',
          ),
          json.map((v) => toJsonText(v).slice(0, -1)),
        )
        .map((t) => ({ text: t, label: `text ${JSON.stringify(t.slice(0, 80))}` })),
      weight: 2,
    },
    { arbitrary: fc.constant({ text: undefined, label: "no body" }), weight: 1 },
  );
  return fc
    .tuple(text, contentType)
    .map(([t, c]) => ({ text: t.text, contentType: c, label: `${c ?? "(no content-type)"} ${t.label}` }));
}

/** Malformed and foreign ids for path segments. */
export const idLike: fc.Arbitrary<string> = fc.oneof(
  nastyString.filter((s) => s.length > 0),
  fc
    .tuple(
      fc.constantFrom("whk_", "dlv_", "key_", ""),
      fc.constantFrom("\u0000", "\ud800", "%00", "\n", "'", "/", "."),
      fc.stringMatching(/^[0-9A-Za-z]{0,30}$/),
    )
    .map(([p, c, rest]) => p + rest.slice(0, 5) + c + rest.slice(5)),
  fc
    .constantFrom("whk", "dlv", "key", "usr", "evt")
    .chain((p) => fc.stringMatching(/^[0-9A-Za-z]{0,45}$/).map((s) => `${p}_${s}`)),
  fc.string({ minLength: 300, maxLength: 2000 }),
);

/** Query strings for list routes: known keys with boundary and nasty values, unknown and repeated keys, broken escapes. */
export function queryArb(fields: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<string> {
  const names = Object.keys(fields);
  const boundary = fc.constantFrom(
    "0",
    "-1",
    "1",
    "1.5",
    "1e3",
    "1e308",
    "NaN",
    "Infinity",
    "-Infinity",
    "9007199254740993",
    "1000000",
    "1000001",
    "100",
    "101",
    " 1",
    "0x10",
    "",
    "true",
    "false",
    "TRUE",
    "1,2",
  );
  const known: fc.Arbitrary<[string, string]> = names.length
    ? fc
        .constantFrom(...names)
        .chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.oneof(
              { arbitrary: fields[n]!, weight: 3 },
              { arbitrary: boundary, weight: 2 },
              { arbitrary: nastyString, weight: 1 },
            ),
          ),
        )
    : fc.tuple(fc.constant("page"), boundary);
  const pair = fc.oneof({ arbitrary: known, weight: 5 }, { arbitrary: fc.tuple(objectKey, nastyString), weight: 1 });
  return fc.oneof(
    {
      arbitrary: fc
        .array(pair, { maxLength: 5 })
        .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : "")),
      weight: 8,
    },
    {
      arbitrary: fc.constantFrom(
        "?",
        "?&&",
        "?page",
        "?page=%",
        "?page=%E0%A4%A",
        "?page=1&page=2",
        "?limit=%00",
        "?success=%FF",
        "?__proto__[x]=1",
        "?eventType[]=call.ended",
      ),
      weight: 1,
    },
  );
}
