import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Inngest API (what INNGEST_BASE_URL points at), for
 * testing the app in server mode without the network. It records every
 * request and answers the two the SDK makes on its own:
 *
 * - `POST /fn/register` (an out-of-band sync, after `PUT /api/inngest`):
 *   `{ ok: true, modified: true }`;
 * - `POST /e/<event key>` (`inngest.send`): `{ ids, status: 200 }`, one id per event.
 *
 * Anything else answers 404 (and is recorded, so a test can see it).
 */

export interface StandInRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface InngestStandIn {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: StandInRequest[];
  close(): Promise<void>;
}

export async function startInngestStandIn(): Promise<InngestStandIn> {
  const requests: StandInRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: StandInRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(recorded);
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const pathname = new URL(recorded.path, "http://stand-in").pathname;
      if (recorded.method === "POST" && pathname === "/fn/register") return answer(200, { ok: true, modified: true });
      if (recorded.method === "POST" && /^\/e\/[^/]+$/.test(pathname)) {
        let count = 1;
        try {
          const parsed: unknown = JSON.parse(recorded.body);
          count = Array.isArray(parsed) ? parsed.length : 1;
        } catch {
          return answer(400, { status: 400, error: "body must be JSON" });
        }
        return answer(200, { ids: Array.from({ length: count }, () => randomUUID()), status: 200 });
      }
      answer(404, { error: `${recorded.method} ${pathname} is not part of the stand-in` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
