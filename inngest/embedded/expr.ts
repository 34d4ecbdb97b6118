/**
 * The small subset of CEL that Inngest function options use, compiled once at
 * startup: trigger `if` expressions, `cancelOn` matches, throttle /
 * concurrency / idempotency keys.
 *
 * Supported: literals (strings in '…' or "…", numbers, true, false, null),
 * paths (`event.data.webhookId`, `event.data["a-b"]`, `async.data.x`),
 * `!`, unary `-`, `+ - * /`, `== != < <= > >=`, `&& ||`, parentheses.
 * Anything else is a compile error, so an option the executor cannot evaluate
 * stops startup instead of being silently ignored.
 */

export type Value = unknown;

export type Expr =
  | { k: "lit"; v: Value }
  | { k: "path"; root: string; segs: string[] }
  | { k: "not"; e: Expr }
  | { k: "neg"; e: Expr }
  | { k: "bin"; op: BinOp; l: Expr; r: Expr };

type BinOp = "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/";

export class ExpressionError extends Error {
  override name = "ExpressionError";
}

type Token = { t: "str"; v: string } | { t: "num"; v: number } | { t: "id"; v: string } | { t: "op"; v: string };

const OPS = ["&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "!", "(", ")", ".", "[", "]"];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\" && j + 1 < src.length) {
          const n = src[j + 1]!;
          s += n === "n" ? "\n" : n === "t" ? "\t" : n;
          j += 2;
        } else {
          s += src[j];
          j++;
        }
      }
      if (j >= src.length) throw new ExpressionError(`unterminated string in ${JSON.stringify(src)}`);
      out.push({ t: "str", v: s });
      i = j + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ t: "num", v: Number(num[0]) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ t: "id", v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`unsupported character ${JSON.stringify(c)} in ${JSON.stringify(src)}`);
    out.push({ t: "op", v: op });
    i += op.length;
  }
  return out;
}

/** Parses `src`; `roots` lists the variables it may reference (e.g. `event`, `async`). */
export function parseExpr(src: string, roots: readonly string[]): Expr {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => {
    const t = toks[p];
    return t?.t === "op" && t.v === v;
  };
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`expected "${v}" in ${JSON.stringify(src)}`);
    p++;
  };
  const binary = (ops: BinOp[], next: () => Expr, single = false): Expr => {
    let l = next();
    while (true) {
      const t = peek();
      if (t?.t !== "op" || !(ops as string[]).includes(t.v)) return l;
      p++;
      l = { k: "bin", op: t.v as BinOp, l, r: next() };
      if (single) return l;
    }
  };
  const or = (): Expr => binary(["||"], and);
  const and = (): Expr => binary(["&&"], cmp);
  const cmp = (): Expr => binary(["==", "!=", "<", "<=", ">", ">="], add, true);
  const add = (): Expr => binary(["+", "-"], mul);
  const mul = (): Expr => binary(["*", "/"], unary);
  const unary = (): Expr => {
    if (isOp("!")) {
      p++;
      return { k: "not", e: unary() };
    }
    if (isOp("-")) {
      p++;
      return { k: "neg", e: unary() };
    }
    return primary();
  };
  const primary = (): Expr => {
    const t = peek();
    if (!t) throw new ExpressionError(`unexpected end of ${JSON.stringify(src)}`);
    p++;
    if (t.t === "str" || t.t === "num") return { k: "lit", v: t.v };
    if (t.t === "op" && t.v === "(") {
      const e = or();
      expect(")");
      return e;
    }
    if (t.t === "id") {
      if (t.v === "true" || t.v === "false") return { k: "lit", v: t.v === "true" };
      if (t.v === "null") return { k: "lit", v: null };
      if (!roots.includes(t.v)) {
        throw new ExpressionError(`unknown variable "${t.v}" in ${JSON.stringify(src)} (allowed: ${roots.join(", ")})`);
      }
      const segs: string[] = [];
      while (true) {
        if (isOp(".")) {
          p++;
          const n = peek();
          if (n?.t !== "id") throw new ExpressionError(`expected a field name after "." in ${JSON.stringify(src)}`);
          p++;
          segs.push(n.v);
        } else if (isOp("[")) {
          p++;
          const n = peek();
          if (n?.t !== "str" && n?.t !== "num")
            throw new ExpressionError(`expected a literal index in ${JSON.stringify(src)}`);
          p++;
          segs.push(String(n.v));
          expect("]");
        } else break;
      }
      if (isOp("(")) throw new ExpressionError(`function calls are not supported in ${JSON.stringify(src)}`);
      return { k: "path", root: t.v, segs };
    }
    throw new ExpressionError(`unexpected "${t.v}" in ${JSON.stringify(src)}`);
  };
  const e = or();
  if (p !== toks.length) throw new ExpressionError(`unexpected "${String(toks[p]?.v)}" in ${JSON.stringify(src)}`);
  return e;
}

const MISSING = Symbol("missing");

function lookup(vars: Readonly<Record<string, Value>>, e: Extract<Expr, { k: "path" }>): Value {
  let cur: Value = vars[e.root];
  for (const s of e.segs) {
    if (cur === null || typeof cur !== "object") return MISSING;
    if (!Object.prototype.hasOwnProperty.call(cur, s)) return MISSING;
    cur = (cur as Record<string, Value>)[s];
  }
  return cur === undefined ? MISSING : cur;
}

function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

function raw(e: Expr, vars: Readonly<Record<string, Value>>): Value {
  switch (e.k) {
    case "lit":
      return e.v;
    case "path":
      return lookup(vars, e);
    case "not": {
      const v = raw(e.e, vars);
      return v === MISSING ? MISSING : !truthy(v);
    }
    case "neg": {
      const v = raw(e.e, vars);
      return typeof v === "number" ? -v : MISSING;
    }
    case "bin": {
      if (e.op === "&&") return truthy(raw(e.l, vars)) && truthy(raw(e.r, vars));
      if (e.op === "||") return truthy(raw(e.l, vars)) || truthy(raw(e.r, vars));
      const l = raw(e.l, vars);
      const r = raw(e.r, vars);
      if (l === MISSING || r === MISSING) return MISSING; // CEL: no such key -> error -> no match
      switch (e.op) {
        case "==":
          return equal(l, r);
        case "!=":
          return !equal(l, r);
        case "+":
          if (typeof l === "number" && typeof r === "number") return l + r;
          if (typeof l === "string" && typeof r === "string") return l + r;
          return MISSING;
        default: {
          if (typeof l === "number" && typeof r === "number") {
            switch (e.op) {
              case "-":
                return l - r;
              case "*":
                return l * r;
              case "/":
                return r === 0 ? MISSING : l / r;
              case "<":
                return l < r;
              case "<=":
                return l <= r;
              case ">":
                return l > r;
              case ">=":
                return l >= r;
            }
          }
          if (typeof l === "string" && typeof r === "string") {
            switch (e.op) {
              case "<":
                return l < r;
              case "<=":
                return l <= r;
              case ">":
                return l > r;
              case ">=":
                return l >= r;
            }
          }
          return MISSING;
        }
      }
    }
  }
}

function truthy(v: Value): boolean {
  return v === true;
}

/** The value of `e`, or `undefined` when it references a missing field or mixes types. */
export function evaluate(e: Expr, vars: Readonly<Record<string, Value>>): Value {
  const v = raw(e, vars);
  return v === MISSING ? undefined : v;
}

/** True only when `e` evaluates to boolean `true` (CEL errors count as false). */
export function matches(e: Expr, vars: Readonly<Record<string, Value>>): boolean {
  return raw(e, vars) === true;
}

/** Variables referenced by `e`. */
export function rootsOf(e: Expr, into = new Set<string>()): Set<string> {
  switch (e.k) {
    case "lit":
      break;
    case "path":
      into.add(e.root);
      break;
    case "not":
    case "neg":
      rootsOf(e.e, into);
      break;
    case "bin":
      rootsOf(e.l, into);
      rootsOf(e.r, into);
      break;
  }
  return into;
}

/** The top-level `&&` operands of `e`. */
export function conjuncts(e: Expr): Expr[] {
  return e.k === "bin" && e.op === "&&" ? [...conjuncts(e.l), ...conjuncts(e.r)] : [e];
}

/** A key expression's value as a string key (`undefined` when it cannot be computed). */
export function keyOf(e: Expr, vars: Readonly<Record<string, Value>>): string | undefined {
  const v = evaluate(e, vars);
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}
