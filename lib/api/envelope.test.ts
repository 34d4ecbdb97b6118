import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonResponse } from "@/lib/api/envelope";

/**
 * API answers and Next.js's response compression (the `compression` middleware its server runs for every
 * response, next/dist/compiled/compression): small envelopes go out as they are, large ones gzipped.
 */
type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;
const compression = createRequire(import.meta.url)("next/dist/compiled/compression") as () => Middleware;

describe("jsonResponse under Next.js's compression", () => {
  let server: http.Server;
  let base: string;
  let next: Response;
  beforeAll(async () => {
    const compress = compression();
    server = http.createServer((req, res) => {
      compress(req, res, () => undefined);
      // What Next's sendResponse does with a route's Response: status, headers (it drops content-length), then
      // its body streamed (pipeToNodeResponse: headers flushed first, the chunks written, then end).
      res.statusCode = next.status;
      next.headers.forEach((value, name) => res.setHeader(name, value));
      void next.text().then((text) => {
        res.flushHeaders();
        res.write(text);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const get = (res: Response) => {
    next = res;
    return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .get(base, { headers: { "accept-encoding": "gzip" } }, (r) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => resolve({ headers: r.headers, body: Buffer.concat(chunks) }));
        })
        .on("error", reject);
    });
  };

  it("sends a small envelope uncompressed and a large one gzipped, both no-store", async () => {
    const small = { success: true, data: { id: "evt_1", type: "call.ended", webhooks: 1 } };
    const a = await get(jsonResponse(small, { status: 202 }));
    expect(a.headers["content-encoding"]).toBeUndefined();
    expect(a.headers["cache-control"]).toBe("no-store, no-transform");
    expect(JSON.parse(a.body.toString())).toEqual(small);

    const large = { success: true, data: Array.from({ length: 40 }, (_, i) => ({ id: `whk_${i}`, url: "https://x" })) };
    const b = await get(jsonResponse(large));
    expect(b.headers["content-encoding"]).toBe("gzip");
    expect(b.headers["cache-control"]).toBe("no-store");
    expect(JSON.parse(gunzipSync(b.body).toString())).toEqual(large);

    // Without the header (a plain Response.json) even the small one is gzipped: the reason for it.
    const c = await get(Response.json(small));
    expect(c.headers["content-encoding"]).toBe("gzip");
  });

  it("keeps a route's own Cache-Control", async () => {
    const res = jsonResponse({ ok: true }, { headers: { "cache-control": "public, max-age=60" } });
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    expect(res.headers.get("content-type")).toBe("application/json");
  });
});
