import { embeddedEventKey, embeddedSigningKey } from "@/inngest/embedded/signing";
import { settings, usesEmbeddedExecutor } from "@/lib/env";

/**
 * The app's Inngest client in embedded mode: cloud mode (so the served
 * handler verifies signatures) with a locally derived signing key, and a
 * custom `fetch` that delivers `inngest.send` / `step.sendEvent` to the
 * in-process executor instead of the network.
 */

/** Base URL of the embedded "Inngest server" (a reserved .invalid host: nothing ever resolves it). */
export const EMBEDDED_BASE_URL = "http://inngest-embedded.invalid/";
const EMBEDDED_ORIGIN = new URL(EMBEDDED_BASE_URL).origin;

/** What embeddedFetch needs from an executor. */
export type EventIntake = {
  readonly accepting: boolean;
  send(events: unknown[]): Promise<{ ids: string[] }>;
};

/**
 * Receives the SDK's async checkpoints (`POST /v1/checkpoint/<runId>/async`)
 * for one in-flight call; answers with an HTTP status (409 = stale: halt).
 */
export type CheckpointSink = (
  body: { run_id?: unknown; steps?: unknown },
  authorization: string | null,
) => Promise<number>;

type Registry = { intakes: EventIntake[]; checkpoints: Map<string, CheckpointSink> };

const REGISTRY = Symbol.for("akol-webhooks.inngest-embedded.registry");

/**
 * Process-wide (globalThis, so Next's separately bundled instrumentation and
 * route modules share it).
 */
export function embeddedRegistry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  const reg = (g[REGISTRY] ??= { intakes: [], checkpoints: new Map() });
  reg.checkpoints ??= new Map(); // a registry left by an older module version (dev reloads)
  return reg;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export class EventValidationError extends Error {
  override name = "EventValidationError";
}

/**
 * No executor in this process (a CLI script, a worker): store the events as a
 * route row that any running executor routes (durable before we answer).
 */
async function storeForLater(events: unknown[]): Promise<{ ids: string[] }> {
  const [{ normalizeEvent }, { enqueueUnrouted }, { pool }, { newId }] = await Promise.all([
    import("@/inngest/embedded/router"),
    import("@/inngest/embedded/store"),
    import("@/lib/db"),
    import("@/lib/ids"),
  ]);
  const now = Date.now();
  let normalized;
  try {
    normalized = events.map((e) => normalizeEvent(e, now));
  } catch (err) {
    throw new EventValidationError((err as Error).message);
  }
  await enqueueUnrouted(pool(), newId("route"), normalized);
  return { ids: normalized.map((e) => e.event.id) };
}

/** The body of a `fetch` call as text: `init.body` wins over the Request's own body; none is "". */
async function bodyText(request: Request | undefined, init: RequestInit | undefined): Promise<string> {
  // A string is what the SDK sends: a Response round trip per call cost ~1 % of the server's CPU.
  if (typeof init?.body === "string") return init.body;
  if (init?.body !== undefined && init.body !== null) return new Response(init.body).text();
  return request ? request.text() : "";
}

async function checkpoint(request: Request | undefined, init: RequestInit | undefined): Promise<Response> {
  let body: { run_id?: unknown; qi_id?: unknown; steps?: unknown };
  try {
    const text = await bodyText(request, init);
    body = JSON.parse(text) as typeof body;
  } catch {
    return json(400, { error: "checkpoint payload must be JSON" });
  }
  const sink = typeof body.qi_id === "string" ? embeddedRegistry().checkpoints.get(body.qi_id) : undefined;
  if (!sink) return json(409, { error: "no such in-flight call" });
  const headers = new Headers(init?.headers ?? request?.headers);
  const status = await sink(body, headers.get("authorization"));
  return json(status, {});
}

/**
 * A `fetch` for the Inngest client: `POST <EMBEDDED_BASE_URL>e/<key>` goes to
 * the executor's event intake (runs are stored before the answer, so
 * `inngest.send` resolving means durable); any other URL on that host is
 * refused; every other URL passes through to the global fetch (so the same
 * client works unchanged against a real Inngest server).
 */
export async function embeddedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = input instanceof Request ? input : undefined;
  const url = new URL(input instanceof Request ? input.url : input instanceof URL ? input.href : input);
  if (url.origin !== EMBEDDED_ORIGIN) return fetch(input, init);
  const method = (init?.method ?? request?.method ?? "GET").toUpperCase();
  if (method === "POST" && /^\/v1\/checkpoint\/[^/]+\/async$/.test(url.pathname)) return checkpoint(request, init);
  if (method !== "POST" || !/^\/e\/[^/]+\/?$/.test(url.pathname)) {
    return json(404, {
      status: 404,
      error: `${method} ${url.pathname} is not available on the embedded Inngest executor`,
    });
  }
  let events: unknown[];
  try {
    const text = await bodyText(request, init);
    const parsed: unknown = JSON.parse(text);
    events = Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return json(400, { status: 400, error: "event payload must be JSON" });
  }
  const reg = embeddedRegistry();
  const intake = reg.intakes.find((i) => i.accepting);
  try {
    const res = intake ? await intake.send(events) : await storeForLater(events);
    return json(200, { status: 200, ids: res.ids });
  } catch (err) {
    if (err instanceof EventValidationError) return json(400, { status: 400, error: err.message });
    return json(500, { status: 500, error: err instanceof Error ? err.message : String(err) });
  }
}

type ModeOptions = {
  readonly isDev: boolean | undefined;
  readonly signingKey: string | undefined;
  readonly eventKey: string | undefined;
  readonly baseUrl: string | undefined;
  readonly fetch: typeof fetch;
};

/**
 * Adds the mode options to the app's Inngest client options:
 * `new Inngest(withEmbeddedMode({ id: "akol-webhooks" }))`.
 *
 * They are getters, resolved on use. In embedded mode they select cloud mode
 * (so the served handler verifies signatures) with the signing key derived
 * from AUTH_SECRET and the embedded event endpoint; otherwise they are
 * undefined and the SDK reads INNGEST_* itself. `fetch` is always
 * embeddedFetch, which passes non-embedded URLs through. Do not spread the
 * result (spreading evaluates the getters).
 */
export function withEmbeddedMode<T extends object>(options: T): T & ModeOptions {
  const embedded = () => usesEmbeddedExecutor(settings());
  const out = { ...options } as T & ModeOptions;
  Object.defineProperties(out, {
    isDev: { enumerable: true, get: () => (embedded() ? false : undefined) },
    signingKey: { enumerable: true, get: () => (embedded() ? embeddedSigningKey() : undefined) },
    eventKey: { enumerable: true, get: () => (embedded() ? embeddedEventKey() : undefined) },
    baseUrl: { enumerable: true, get: () => (embedded() ? EMBEDDED_BASE_URL : undefined) },
    fetch: { enumerable: true, value: embeddedFetch },
  });
  return out;
}
