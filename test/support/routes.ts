import { readdirSync } from "node:fs";
import path from "node:path";
import { isFallbackHandler } from "@/lib/api/methods";
import type { RouteHandler } from "@/test/support/api";

/**
 * Finds every route handler under a folder of the App Router (like
 * lib/openapi.test.ts does), so suites that must cover "every route" pick up
 * new routes without being edited.
 */

export const HTTP_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export type DiscoveredRoute = {
  /** `METHOD /path/[param]`, e.g. `GET /webhooks/[id]` (relative to the root's URL prefix). */
  key: string;
  method: HttpMethod;
  /** Path template relative to the prefix, with Next.js `[param]` segments. */
  route: string;
  /** Names of the dynamic segments, in path order. */
  params: string[];
  handler: RouteHandler;
  file: string;
};

export function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? routeFiles(path.join(dir, d.name)) : d.name === "route.ts" ? [path.join(dir, d.name)] : [],
    )
    .sort();
}

/**
 * Every exported HTTP method handler of every `route.ts` under `root` (default: the public API), except
 * the envelope fallbacks (405 for a method a route lacks, 404 for no route: lib/api/methods.ts).
 */
export async function discoverRoutes(root = "app/api/v1"): Promise<DiscoveredRoute[]> {
  const abs = path.resolve(root);
  const out: DiscoveredRoute[] = [];
  for (const file of routeFiles(abs)) {
    const rel = path.relative(abs, path.dirname(file)).split(path.sep).join("/");
    const route = rel === "" ? "/" : `/${rel}`;
    const params = [...route.matchAll(/\[(?:\.\.\.)?(\w+)\]/g)].map((m) => m[1]!);
    const mod = (await import(file)) as Record<string, unknown>;
    for (const method of HTTP_METHODS) {
      const handler = mod[method];
      if (typeof handler === "function" && !isFallbackHandler(handler))
        out.push({ key: `${method} ${route}`, method, route, params, handler: handler as RouteHandler, file });
    }
  }
  return out;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Fills a `[param]` template: `fillRoute("/webhooks/[id]", {id: "whk_1"})` → `/webhooks/whk_1` (values URL-encoded; lone surrogates, which no URL can carry, become U+FFFD). */
export function fillRoute(route: string, params: Record<string, string>): string {
  return route.replace(/\[(?:\.\.\.)?(\w+)\]/g, (_m, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`no value for [${name}] in ${route}`);
    return encodeURIComponent(v.replace(LONE_SURROGATE, "\ufffd"));
  });
}
