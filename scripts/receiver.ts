/**
 * `npm run receiver`: a local HTTPS endpoint to try deliveries with.
 *
 * Listens on https://127.0.0.1:<port>/ (default 9443) with a certificate from
 * a local CA made once into DATA_DIR/receiver (lib/outbound/local-receiver.ts),
 * which `npm run dev` trusts for exactly that address. Prints one line per
 * request: time, event type, webhook-id, webhook-attempt (when sent; else
 * how often that webhook-id arrived, once it repeats), the status answered,
 * and whether the signature verifies with the official `standardwebhooks`
 * library (given --secret, or the secret pasted at the prompt). --status, --delay-ms and --fail-rate make it misbehave so retries
 * and replays can be watched. Run with --help for the details.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { ConfigError, settings } from "@/lib/env";
import {
  LOCAL_RECEIVER_DEFAULT_PORT,
  LOCAL_RECEIVER_HOST,
  displayPath,
  ensureLocalReceiverCertificates,
  localReceiverUrl,
  recordLocalReceiverPort,
} from "@/lib/outbound/local-receiver";
import { LocalCaError } from "@/lib/tls/local-ca";

const HELP = `Usage: npm run receiver -- [options]

A local HTTPS endpoint for trying Akol Webhooks: it prints one line per delivery
(time, event type, webhook-id, attempt, the status it answered, and whether the
signature verifies). \`npm run dev\` trusts its certificate and allows its address.

Options:
  --port <n>           Port on 127.0.0.1 (default ${LOCAL_RECEIVER_DEFAULT_PORT}; 0 picks a free one)
  --secret <whsec_…>   The endpoint's signing secret, to verify signatures
                       (or paste it at the prompt once the receiver runs)
  --status <code>      Answer every delivery with this status (default 200)
  --delay-ms <n>       Wait this long before answering (deliveries time out after 15 s)
  --fail-rate <0..1>   Answer this share of deliveries with 500, at random
  --help               Show this help

Probes (webhook.probe, sent when an endpoint is created or re-enabled) are always
answered 200 at once, so endpoints can be created while failures are simulated.

Files: DATA_DIR/receiver (default .data/receiver): ca.pem, server.pem, server.key,
made on first start and reused. Against \`npm start\` (production), which never
allows local addresses by itself, set WEBHOOK_ALLOWED_TARGETS=127.0.0.1 and
NODE_EXTRA_CA_CERTS=<DATA_DIR>/receiver/ca.pem.`;

/** A user error: one line on stderr, no stack trace; exit code 2 for bad flags, 1 otherwise. */
class UsageError extends Error {
  override name = "UsageError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

interface Options {
  port: number;
  secret?: string;
  status: number;
  delayMs: number;
  failRate: number;
}

function integer(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw.trim())) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

/** A Standard Webhooks verifier for `secret`, or a one-line reason why it is not a signing secret. */
function verifierFor(secret: string): Webhook | string {
  const s = secret.trim();
  const body = s.startsWith("whsec_") ? s.slice(6) : s;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || Buffer.from(body, "base64").length < 16) {
    return "that is not a signing secret: expected whsec_ followed by base64, as shown when the endpoint was created";
  }
  try {
    return new Webhook(s);
  } catch {
    return "that is not a signing secret: expected whsec_ followed by base64";
  }
}

function parseOptions(argv: string[]): Options | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: "string" },
        secret: { type: "string" },
        status: { type: "string" },
        "delay-ms": { type: "string" },
        "fail-rate": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)} (see --help)`);
  }
  const v = parsed.values;
  if (v.help) return "help";
  const rate = v["fail-rate"];
  let failRate = 0;
  if (rate !== undefined) {
    failRate = Number(rate);
    if (rate.trim() === "" || !Number.isFinite(failRate) || failRate < 0 || failRate > 1) {
      throw new UsageError("--fail-rate must be a number from 0 to 1 (e.g. 0.5: half the deliveries fail)");
    }
  }
  const options: Options = {
    port: integer("port", v.port, LOCAL_RECEIVER_DEFAULT_PORT, 0, 65535),
    status: integer("status", v.status, 200, 200, 599),
    delayMs: integer("delay-ms", v["delay-ms"], 0, 0, 600_000),
    failRate,
  };
  if (v.secret !== undefined) {
    const verifier = verifierFor(v.secret);
    if (typeof verifier === "string") throw new UsageError(`--secret: ${verifier}`);
    options.secret = v.secret.trim();
  }
  return options;
}

// ---------------------------------------------------------------------------

const out = (line: string) => process.stdout.write(`${line}\n`);

function clock(d = new Date()): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** One line stays one line: control characters from the sender become "?", long values are cut. */
function printable(text: string, max: number): string {
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

function describeEvent(body: string): { type: string; probe: boolean } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === "object" && parsed !== null && "type" in parsed && typeof parsed.type === "string") {
      const test = "test" in parsed && parsed.test === true;
      return { type: `${printable(parsed.type, 80)}${test ? " (test)" : ""}`, probe: parsed.type === "webhook.probe" };
    }
    return { type: "(JSON without a type)", probe: false };
  } catch {
    return { type: body.length === 0 ? "(empty body)" : "(not JSON)", probe: false };
  }
}

function checkSignature(verifier: Webhook | undefined, req: IncomingMessage, body: string, noSecret: string): string {
  const id = header(req, "webhook-id");
  const timestamp = header(req, "webhook-timestamp");
  const signature = header(req, "webhook-signature");
  if (!id || !timestamp || !signature) return "unsigned (webhook-id/-timestamp/-signature missing)";
  if (!verifier) return `signature not checked (${noSecret})`;
  try {
    verifier.verify(body, { "webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature });
    return "signature verified";
  } catch (err) {
    const reason = err instanceof WebhookVerificationError ? err.message : "could not be checked";
    return `signature INVALID (${reason})`;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === "help") {
    out(HELP);
    return 0;
  }
  const dataDir = path.resolve(settings().DATA_DIR);
  const tls = ensureLocalReceiverCertificates(dataDir);
  let verifier: Webhook | undefined;
  if (options.secret) {
    const v = verifierFor(options.secret);
    if (typeof v !== "string") verifier = v;
  }

  const noSecret = process.stdin.isTTY ? "no secret: paste it here or use --secret" : "no secret: use --secret whsec_…";

  // How often each webhook-id arrived (retries keep theirs): shown when no webhook-attempt header says it.
  const seenIds = new Map<string, number>();
  const remember = (id: string, count: number) => {
    seenIds.delete(id);
    seenIds.set(id, count);
    if (seenIds.size > 10_000) seenIds.delete(seenIds.keys().next().value ?? id);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    let hungUpAt: number | undefined;
    req.socket.once("close", () => (hungUpAt ??= Date.now()));
    const body = await readBody(req).catch(() => "");
    const method = req.method ?? "?";
    if (method !== "POST") {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.end("Akol Webhooks local receiver: webhooks are POSTed to this URL.\n");
      out(`${clock()}  ${printable(method, 10)} ${printable(req.url ?? "/", 100)}  → 200  (not a webhook delivery)`);
      return;
    }
    const event = describeEvent(body);
    const signature = checkSignature(verifier, req, body, noSecret);
    let status = options.status;
    let note = options.status === 200 ? "" : " (--status)";
    if (event.probe) {
      status = 200;
      note = " (probe: always accepted)";
    } else if (options.failRate > 0 && Math.random() < options.failRate) {
      status = 500;
      note = " (simulated failure, --fail-rate)";
    }
    if (!event.probe && options.delayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    }
    const id = header(req, "webhook-id");
    const attempt = header(req, "webhook-attempt");
    const seen = id === undefined ? 1 : (seenIds.get(id) ?? 0) + 1;
    if (id !== undefined) remember(id, seen);
    const fields = [
      clock(),
      event.type,
      id === undefined ? "(no webhook-id)" : printable(id, 100),
      ...(attempt ? [`attempt ${printable(attempt, 10)}`] : seen > 1 ? [`seen ${seen}×`] : []),
    ];
    if (res.destroyed || req.socket.destroyed) {
      const waited = (hungUpAt ?? Date.now()) - started;
      out(`${fields.join("  ")}  → no answer: the sender hung up after ${waited} ms (its timeout)  ${signature}`);
      return;
    }
    const ok = status >= 200 && status < 300;
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(ok ? { received: true } : { error: note.trim() || `answering ${status}` }));
    const delayed = !event.probe && options.delayMs > 0 ? ` after ${options.delayMs} ms` : "";
    out(`${fields.join("  ")}  → ${status}${note}${delayed}  ${signature}`);
  };

  const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      out(`${clock()}  could not answer: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.on("tlsClientError", (err) => {
    // e.g. a browser or client that does not trust the local CA
    const code = "code" in err && typeof err.code === "string" ? ` (${err.code})` : "";
    out(`${clock()}  TLS handshake failed${code}: the sender does not trust this receiver's CA?`);
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, LOCAL_RECEIVER_HOST, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  }).catch((err: unknown) => {
    const code = typeof err === "object" && err !== null && "code" in err ? err.code : undefined;
    if (code === "EADDRINUSE") {
      throw new UsageError(
        `port ${options.port} on ${LOCAL_RECEIVER_HOST} is already in use (another receiver?); ` +
          `choose another with: npm run receiver -- --port ${options.port === 65535 ? 9444 : options.port + 1}`,
        1,
      );
    }
    if (code === "EACCES") throw new UsageError(`port ${options.port} needs privileges: choose one above 1023`, 1);
    throw err;
  });
  recordLocalReceiverPort(port, dataDir);

  const ca = displayPath(tls.caPath);
  const answers = [
    `answering ${options.status}`,
    ...(options.delayMs > 0 ? [`after ${options.delayMs} ms`] : []),
    ...(options.failRate > 0 ? [`${Math.round(options.failRate * 100)} % at random with 500`] : []),
  ];
  out(`Akol Webhooks local receiver on ${localReceiverUrl(port)}`);
  out(`  use this URL for an endpoint in the app (\`npm run dev\` allows exactly this address)`);
  out(`  certificate from the local CA ${ca} (${tls.created ? "created now" : "reused"})`);
  out(`  ${answers.join(", ")}; probes always 200`);
  let rl: ReturnType<typeof createInterface> | undefined;
  if (verifier) {
    out("  signatures verified with the secret given (--secret)");
  } else if (process.stdin.isTTY) {
    out("  paste the endpoint's signing secret (whsec_…) and press Enter to verify signatures (optional)");
    rl = createInterface({ input: process.stdin, terminal: false });
    rl.on("line", (line) => {
      const text = line.trim();
      if (text === "") return;
      const v = verifierFor(text);
      if (typeof v === "string") {
        out(`  ${v}`);
      } else {
        verifier = v;
        out("  secret set: signatures are now verified");
      }
    });
  } else {
    out("  signatures not verified: start with --secret whsec_… to verify them");
  }
  out("Waiting for deliveries (Ctrl-C to stop)…");

  return new Promise<number>((resolve) => {
    const stop = () => {
      rl?.close();
      server.closeAllConnections();
      server.close(() => resolve(0));
    };
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(sig, stop);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const known = err instanceof UsageError || err instanceof ConfigError || err instanceof LocalCaError;
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`receiver: ${known ? message : `unexpected error: ${message}`}\n`);
    process.exit(err instanceof UsageError ? err.exitCode : 1);
  },
);
