import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isFallbackHandler } from "@/lib/api/methods";
import { GET } from "@/app/api/v1/openapi.json/route";

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
};

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? routeFiles(path.join(dir, d.name)) : d.name === "route.ts" ? [path.join(dir, d.name)] : [],
  );
}

describe("OpenAPI document", () => {
  it("describes every /api/v1 route and method that exists, and nothing else", async () => {
    const doc = (await GET().json()) as Doc;
    expect(doc.openapi).toBe("3.1.0");
    const root = path.resolve("app/api/v1");
    const expected: string[] = [];
    for (const file of routeFiles(root)) {
      const route = "/" + path.relative(root, path.dirname(file)).replace(/\[(\w+)\]/g, "{$1}");
      if (route === "/openapi.json") continue;
      const mod = (await import(file)) as Record<string, unknown>;
      for (const m of ["GET", "POST", "PATCH", "PUT", "DELETE"])
        if (typeof mod[m] === "function" && !isFallbackHandler(mod[m])) expected.push(`${m.toLowerCase()} ${route}`);
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`));
    expect(documented.sort()).toEqual(expected.sort());
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops)) expect(op.responses["401"]).toBeDefined();
  });
});
