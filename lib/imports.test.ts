import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The module boundaries, read from the source: production files of lib/
 * and inngest/ (tests excluded, generated Prisma code skipped).
 */

const ROOT = join(import.meta.dirname, "..");

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "generated") walk(path, out);
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(relative(ROOT, path));
  }
  return out;
}

const files = [...walk(join(ROOT, "lib")), ...walk(join(ROOT, "inngest"))];
const known = new Set(files);

/** `@/x/y` → the file it names (x/y.ts, x/y.tsx or x/y/index.ts), when it is one of ours. */
function resolve(spec: string): string | undefined {
  const base = spec.slice(2);
  return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((f) => known.has(f));
}

/** Imports and re-exports — type-only (they still couple the modules), side-effect and dynamic `import()` too. */
const imports = new Map<string, string[]>(
  files.map((f) => {
    const src = readFileSync(join(ROOT, f), "utf8");
    const specs = [
      ...src.matchAll(/(?:import|export)[^'"]*?from\s+"(@\/[^"]+)"/g),
      ...src.matchAll(/\bimport\s*\(?\s*"(@\/[^"]+)"/g),
    ].map((m) => m[1]!);
    return [f, specs.map(resolve).filter((x): x is string => x !== undefined)];
  }),
);

/** lib/<folder>/… → "lib/<folder>"; lib/x.ts → "lib/x"; inngest/<folder>/… → "inngest/<folder>". */
const folderOf = (f: string) => {
  const parts = f.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : f.replace(/\.tsx?$/, "");
};

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, "visiting");
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === "visiting") return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, "done");
    return null;
  };
  for (const n of graph.keys()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

describe("module boundaries", () => {
  it("reads the source (the graph is not empty)", () => {
    expect(imports.get("lib/delivery/attempt.ts")).toContain("lib/outbound/http-client.ts");
  });

  it("lib/outbound (outbound HTTP: client, SSRF guard, signing, Retry-After) is a leaf: nothing from lib/webhooks, lib/delivery, lib/jobs, lib/events or inngest", () => {
    const bad = files
      .filter((f) => f.startsWith("lib/outbound/"))
      .flatMap((f) => imports.get(f)!.map((to) => `${f} → ${to}`))
      .filter((e) => /→ (lib\/(webhooks|delivery|jobs|events)|inngest)\//.test(e));
    expect(bad).toEqual([]);
  });

  it("lib/errors.ts (the one error type, thrown from every folder) imports nothing of ours", () => {
    expect(imports.get("lib/errors.ts")).toEqual([]);
  });

  it("lib/ reaches Inngest only through lib/jobs", () => {
    const bad = files
      .filter((f) => f.startsWith("lib/") && !f.startsWith("lib/jobs/"))
      .flatMap((f) => imports.get(f)!.map((to) => `${f} → ${to}`))
      .filter((e) => e.includes("→ inngest/"));
    expect(bad).toEqual([]);
  });

  it("no import cycle between lib/ folders", () => {
    const graph = new Map<string, Set<string>>();
    for (const [f, tos] of imports) {
      if (!f.startsWith("lib/")) continue;
      const a = folderOf(f);
      for (const to of tos) {
        const b = folderOf(to);
        if (b.startsWith("lib/") && a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
      }
    }
    expect(findCycle(graph)).toBeNull();
  });

  it("no import cycle between modules of lib/ and inngest/", () => {
    const graph = new Map([...imports].map(([f, tos]) => [f, new Set(tos)]));
    expect(findCycle(graph)).toBeNull();
  });
});
