import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/**
 * Layering checks over the production import graph (static and dynamic
 * imports, `import type` included: a type import is a dependency too).
 * Tests (*.test.ts) are left out: they may import anything.
 *
 * - No import cycles between lib/ folders: each lib/<name>/ folder (and the
 *   lib/<name>.ts file beside it, e.g. lib/db.ts + lib/db/) is one node, and
 *   the graph of those nodes must have no cycle.
 * - Leaf folders import only what they are allowed to: lib/errors.ts (the one
 *   error type, thrown everywhere) nothing; lib/outbound/ (HTTP client, SSRF
 *   guard, signing) only configuration, logging and the local TLS helper —
 *   never lib/webhooks or lib/delivery.
 */

const root = path.resolve(import.meta.dirname, "..");
const EXTENSIONS = [".ts", ".tsx", "/index.ts", "/index.tsx"];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return rel === "lib/generated" ? [] : sourceFiles(rel);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [rel] : [];
  });
}

/** The repository-relative file an import specifier points at, or undefined for packages. */
function resolveImport(from: string, specifier: string): string | undefined {
  let base: string;
  if (specifier.startsWith("@/")) base = specifier.slice(2);
  else if (specifier.startsWith(".")) base = path.posix.join(path.posix.dirname(from), specifier);
  else return undefined;
  for (const candidate of [base, ...EXTENSIONS.map((ext) => base + ext)]) {
    try {
      if (statSync(path.join(root, candidate)).isFile()) return candidate;
    } catch {
      // try the next candidate
    }
  }
  throw new Error(`${from}: cannot resolve import "${specifier}"`);
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(root, file), "utf8"), true, true);
  return info.importedFiles.flatMap(({ fileName }) => resolveImport(file, fileName) ?? []);
}

/** Each leaf unit and the lib/ units it may import. */
const LEAVES: Record<string, string[]> = {
  "lib/errors": [],
  "lib/outbound": ["lib/env", "lib/log", "lib/tls"],
};

/** lib/delivery/attempt.ts → lib/delivery; lib/db.ts → lib/db; other folders → undefined. */
function libUnit(file: string): string | undefined {
  const match = /^lib\/([^/.]+)/.exec(file);
  return match ? `lib/${match[1]}` : undefined;
}

/** Strongly connected components with more than one node (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

describe("import graph", () => {
  const files = sourceFiles("lib");
  const edges = files.flatMap((file) => importsOf(file).map((target) => ({ file, target })));

  it("sees the imports it is meant to check", () => {
    // Guards the check itself: a resolver that found nothing would pass any layering rule.
    expect(edges.length).toBeGreaterThan(100);
    expect(edges).toContainEqual({ file: "lib/events/publish.ts", target: "lib/db.ts" });
  });

  it("keeps leaf folders to their allowed imports", () => {
    for (const [leaf, allowed] of Object.entries(LEAVES)) {
      expect(files.filter((file) => libUnit(file) === leaf).length, `${leaf} has no source files`).toBeGreaterThan(0);
      const outside = edges
        .filter(({ file }) => libUnit(file) === leaf)
        .filter(({ target }) => {
          const unit = libUnit(target);
          return target.startsWith("lib/") ? unit !== leaf && !allowed.includes(unit!) : !target.endsWith(".json");
        });
      expect(outside.map(({ file, target }) => `${file} → ${target}`)).toEqual([]);
    }
  });

  it("has no import cycles between lib/ folders", () => {
    const graph = new Map<string, Set<string>>();
    const crossing: { from: string; to: string; edge: string }[] = [];
    for (const { file, target } of edges) {
      const from = libUnit(file);
      const to = libUnit(target);
      if (!from || !to || from === to) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
      crossing.push({ from, to, edge: `${file} → ${target}` });
    }
    const report = cycles(graph).map((component) => {
      const inside = crossing.filter(({ from, to }) => component.includes(from) && component.includes(to));
      return `cycle ${component.join(" ↔ ")}:\n${inside.map(({ edge }) => `  ${edge}`).join("\n")}`;
    });
    expect(report, report.join("\n")).toEqual([]);
  });
});
