import { Webhook as StandardWebhook } from "standardwebhooks";
import { startReceiver, type ReceivedRequest, type Receiver } from "@/test/support/https-receiver";

/**
 * An HTTPS webhook receiver that misbehaves on purpose, for the soak: each
 * request is answered, by a seeded PRNG, with a 500, a 429 + `Retry-After: 1`,
 * no answer at all (the sender's timeout fires), a reset connection, a slow
 * 200, or a 200. Every request is recorded with what the receiver did and
 * whether its Standard Webhooks signature verified (checked on arrival, with
 * the third-party `standardwebhooks` package).
 *
 * "flaky" receivers fail at most `failureCap` requests of one `webhook-id`
 * and then always answer 200, so every message succeeds within the retry
 * schedule; "doomed" receivers never answer 2xx (their deliveries must end
 * `failed` after the last attempt).
 */

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Action = "ok" | "slow" | "status500" | "status429" | "timeout" | "reset";

export const FAILING_ACTIONS: ReadonlySet<Action> = new Set<Action>(["status500", "status429", "timeout", "reset"]);

export interface Hit {
  messageId: string;
  /** The `webhook-timestamp` header (Unix seconds of the attempt). */
  timestamp: number;
  body: string;
  action: Action;
  /** Status of the response the receiver finished sending; null if it never answered (or the socket was gone). */
  answered: number | null;
  /** Date.now() when the whole request had arrived. */
  receivedAt: number;
  signatureOk: boolean;
  signatureError?: string;
}

export type FaultMode = "flaky" | "doomed";

export interface FaultReceiver {
  readonly name: string;
  readonly mode: FaultMode;
  readonly url: string;
  /** Deliveries (everything but probes), in arrival order. */
  readonly hits: Hit[];
  /** Probe requests (`webhook.probe`), answered 200. */
  readonly probes: ReceivedRequest[];
  /** The webhook's signing secret: requests are verified with it from now on. */
  setSecret(secret: string): void;
  /** Verifies the probes received so far; returns the error messages. */
  verifyProbes(): string[];
  close(): Promise<void>;
}

export interface FaultReceiverOptions {
  name: string;
  mode: FaultMode;
  random: () => number;
  /** flaky: failed answers per webhook-id before it always succeeds. */
  failureCap: number;
  /** Delay of a slow 200, ms (uniform in the range). */
  slowMs: [number, number];
}

function headerOf(q: ReceivedRequest, name: string): string {
  const v = q.headers[name];
  return Array.isArray(v) ? v.join(",") : (v ?? "");
}

function verify(secret: string, q: ReceivedRequest): string | undefined {
  try {
    new StandardWebhook(secret.slice("whsec_".length)).verify(q.body, {
      "webhook-id": headerOf(q, "webhook-id"),
      "webhook-timestamp": headerOf(q, "webhook-timestamp"),
      "webhook-signature": headerOf(q, "webhook-signature"),
    });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function isProbe(body: string): boolean {
  try {
    return (JSON.parse(body) as { type?: unknown }).type === "webhook.probe";
  } catch {
    return false;
  }
}

export async function startFaultReceiver(opts: FaultReceiverOptions): Promise<FaultReceiver> {
  const hits: Hit[] = [];
  const probes: ReceivedRequest[] = [];
  const failures = new Map<string, number>();
  let secret: string | undefined;

  const decide = (messageId: string): Action => {
    const r = opts.random();
    if (opts.mode === "doomed") return r < 0.6 ? "status500" : r < 0.8 ? "status429" : r < 0.93 ? "reset" : "timeout";
    if ((failures.get(messageId) ?? 0) >= opts.failureCap) return "ok";
    // 35 % failures per attempt, 15 % slow, 50 % fast 200.
    if (r < 0.1) return "status500";
    if (r < 0.18) return "status429";
    if (r < 0.25) return "timeout";
    if (r < 0.35) return "reset";
    if (r < 0.5) return "slow";
    return "ok";
  };

  const receiver: Receiver = await startReceiver((q, res, raw) => {
    if (isProbe(q.body)) {
      probes.push(q);
      res.writeHead(200, { "content-type": "text/plain" }).end("probe ok");
      return;
    }
    const messageId = headerOf(q, "webhook-id");
    const action = decide(messageId);
    if (FAILING_ACTIONS.has(action)) failures.set(messageId, (failures.get(messageId) ?? 0) + 1);
    const signatureError = secret ? verify(secret, q) : "secret not known yet";
    const hit: Hit = {
      messageId,
      timestamp: Number(headerOf(q, "webhook-timestamp")),
      body: q.body,
      action,
      answered: null,
      receivedAt: Date.now(),
      signatureOk: signatureError === undefined,
      ...(signatureError !== undefined ? { signatureError } : {}),
    };
    hits.push(hit);
    res.on("finish", () => {
      hit.answered = res.statusCode;
    });
    switch (action) {
      case "ok":
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
        return;
      case "slow": {
        const [lo, hi] = opts.slowMs;
        setTimeout(
          () => {
            if (!res.destroyed && !raw.socket?.destroyed)
              res.writeHead(200, { "content-type": "text/plain" }).end("ok, slowly");
          },
          lo + opts.random() * (hi - lo),
        );
        return;
      }
      case "status500":
        res.writeHead(500, { "content-type": "text/plain" }).end("soak: internal error");
        return;
      case "status429":
        res.writeHead(429, { "content-type": "text/plain", "retry-after": "1" }).end("soak: slow down");
        return;
      case "timeout":
        return; // never answered: the sender's timeout fires and it closes the connection
      case "reset":
        raw.socket?.destroy();
        return;
    }
  });

  return {
    name: opts.name,
    mode: opts.mode,
    url: `${receiver.url}?r=${encodeURIComponent(opts.name)}`,
    hits,
    probes,
    setSecret(s) {
      secret = s;
    },
    verifyProbes() {
      if (!secret) return [`${opts.name}: no secret to verify probes with`];
      return probes.flatMap((q) => {
        const e = verify(secret!, q);
        return e === undefined ? [] : [`${opts.name}: probe signature did not verify: ${e}`];
      });
    },
    close: () => receiver.close(),
  };
}
