import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sign, signedHeaders } from "@/lib/outbound/sign";
import {
  EXAMPLE_ATTEMPT_SECONDS,
  EXAMPLE_MESSAGE_ID,
  EXAMPLE_SECRET,
  exampleDelivery,
  exampleEnvelope,
} from "@/lib/docs/examples";
import { MANUAL_NODE_SNIPPET, NODE_SNIPPET, PYTHON_SNIPPET } from "@/lib/docs/snippets";
import { CATALOG, PROBE_EVENT_TYPE } from "@/lib/events/catalog";
import { newId } from "@/lib/ids";
import { generateSecret } from "@/lib/webhooks/secret";

/**
 * The verification snippets of /docs/webhooks, checked against what the
 * product really sends: requests signed by lib/outbound/sign.ts.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const def = CATALOG.find((d) => d.type === "call.ended") ?? CATALOG[0]!;

function body(test = false): string {
  return JSON.stringify({ ...exampleEnvelope(def, { test }), timestamp: new Date().toISOString() });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

describe("the standardwebhooks API calls shown in the Node.js snippet", () => {
  it("verifies a delivery signed by lib/outbound/sign.ts, with the secret passed with its whsec_ prefix", () => {
    const secret = generateSecret();
    const msgId = newId("msg");
    const raw = body();
    const headers = signedHeaders(secret, msgId, raw);
    expect(new Webhook(secret).verify(raw, headers)).toEqual(JSON.parse(raw));
  });

  it("also accepts the secret without its prefix (the library strips whsec_)", () => {
    const secret = generateSecret();
    const raw = body();
    const headers = signedHeaders(secret, newId("msg"), raw);
    expect(new Webhook(secret.slice("whsec_".length)).verify(raw, headers)).toEqual(JSON.parse(raw));
  });

  it("accepts a Buffer body as well as a string", () => {
    const secret = generateSecret();
    const raw = body();
    const headers = signedHeaders(secret, newId("msg"), raw);
    expect(new Webhook(secret).verify(Buffer.from(raw), headers)).toEqual(JSON.parse(raw));
  });

  it("rejects a tampered body, another secret, a re-serialised body and a stale timestamp", () => {
    const secret = generateSecret();
    const raw = JSON.stringify(exampleEnvelope(def), null, 2); // indented, as the docs show it
    const headers = signedHeaders(secret, newId("msg"), raw);
    const wh = new Webhook(secret);
    expect(() => wh.verify(raw.replace("188", "189"), headers)).toThrow(/signature/i);
    expect(() => new Webhook(generateSecret()).verify(raw, headers)).toThrow(/signature/i);
    expect(() => wh.verify(JSON.stringify(JSON.parse(raw)), headers)).toThrow(/signature/i);
    const old = signedHeaders(secret, newId("msg"), raw, new Date(Date.now() - 6 * 60_000));
    expect(() => wh.verify(raw, old)).toThrow(/too old/i);
    const future = signedHeaders(secret, newId("msg"), raw, new Date(Date.now() + 6 * 60_000));
    expect(() => wh.verify(raw, future)).toThrow(/too new/i);
    const recent = signedHeaders(secret, newId("msg"), raw, new Date(Date.now() - 4 * 60_000));
    expect(wh.verify(raw, recent)).toEqual(JSON.parse(raw));
  });

  it("accepts a header with several space-separated signatures when one matches", () => {
    const secret = generateSecret();
    const raw = body();
    const headers = signedHeaders(secret, newId("msg"), raw);
    const other = sign(generateSecret(), headers["webhook-id"]!, Number(headers["webhook-timestamp"]), raw);
    const both = { ...headers, "webhook-signature": `${other} ${headers["webhook-signature"]}` };
    expect(new Webhook(secret).verify(raw, both)).toEqual(JSON.parse(raw));
  });

  it("agrees with the published test vector", () => {
    const v = exampleDelivery();
    expect(new Webhook(EXAMPLE_SECRET).sign(EXAMPLE_MESSAGE_ID, new Date(EXAMPLE_ATTEMPT_SECONDS * 1000), v.body)).toBe(
      v.signature,
    );
    expect(v.signature).toBe(sign(EXAMPLE_SECRET, EXAMPLE_MESSAGE_ID, EXAMPLE_ATTEMPT_SECONDS, v.body));
    expect(v.http).toContain(`webhook-signature: ${v.signature}`);
    expect(v.http.endsWith(v.body)).toBe(true);
  });
});

type Running = { child: ChildProcess; url: string; output: () => string; stop: () => Promise<void> };

async function runSnippet(command: string, args: string[], extraEnv: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "test",
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PORT: String(port),
    ...extraEnv,
  };
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const url = `http://127.0.0.1:${port}/akol-webhook`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`snippet exited early (${child.exitCode}):\n${out}`);
    try {
      await fetch(url, { method: "GET" });
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`snippet did not start listening:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child,
    url,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function post(url: string, raw: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(url, { method: "POST", headers, body: raw });
  await res.arrayBuffer();
  return res.status;
}

function probeBody(): string {
  return JSON.stringify({
    type: PROBE_EVENT_TYPE,
    timestamp: new Date().toISOString(),
    data: { webhookId: "whk_x", message: "probe" },
  });
}

/** The receiver contract every snippet must meet, driven over HTTP. */
function receiverContract(name: string, start: (secret: string | undefined) => Promise<Running>) {
  describe(name, () => {
    const secret = generateSecret();
    let server: Running;
    let noSecret: Running;
    beforeAll(async () => {
      [server, noSecret] = await Promise.all([start(secret), start(undefined)]);
    });
    afterAll(async () => {
      await Promise.all([server?.stop(), noSecret?.stop()]);
    });

    it("answers 2xx to a genuine delivery, a test event and a probe signed with the current secret", async () => {
      const msgId = newId("msg");
      const raw = body();
      expect(await post(server.url, raw, signedHeaders(secret, msgId, raw))).toBe(204);
      const testRaw = body(true);
      expect(await post(server.url, testRaw, signedHeaders(secret, newId("msg"), testRaw))).toBe(204);
      const probe = probeBody();
      expect(await post(server.url, probe, signedHeaders(secret, newId("msg"), probe))).toBe(204);
      await expect.poll(() => server.output()).toContain(`verified ${msgId} call.ended`);
    });

    it("rejects a tampered body, another secret, a missing signature and a stale timestamp with 400", async () => {
      const raw = body();
      const headers = signedHeaders(secret, newId("msg"), raw);
      expect(await post(server.url, raw.replace("call_", "call_x"), headers)).toBe(400);
      expect(await post(server.url, raw, signedHeaders(generateSecret(), newId("msg"), raw))).toBe(400);
      const { ["webhook-signature"]: _dropped, ...unsigned } = headers;
      expect(await post(server.url, raw, unsigned)).toBe(400);
      expect(
        await post(server.url, raw, signedHeaders(secret, newId("msg"), raw, new Date(Date.now() - 6 * 60_000))),
      ).toBe(400);
      expect(server.output()).not.toContain(headers["webhook-id"]);
    });

    it("acknowledges the creation probe it cannot verify yet, and nothing else", async () => {
      const probe = probeBody();
      // Signed with a secret the receiver does not have yet (the one the create response returns).
      expect(await post(server.url, probe, signedHeaders(generateSecret(), newId("msg"), probe))).toBe(204);
      expect(await post(noSecret.url, probe, signedHeaders(generateSecret(), newId("msg"), probe))).toBe(204);
      const raw = body();
      expect(await post(noSecret.url, raw, signedHeaders(generateSecret(), newId("msg"), raw))).toBe(400);
      expect(noSecret.output()).not.toContain("verified");
    });
  });
}

receiverContract("the Node.js snippet, run as written (node:http + standardwebhooks)", (secret) =>
  runSnippet(
    process.execPath,
    ["--input-type=module", "-e", NODE_SNIPPET.code],
    secret ? { AKOL_WEBHOOK_SECRET: secret } : {},
  ),
);

// Runs where Python has the standardwebhooks package (pip install standardwebhooks, or PYTHONPATH
// pointing at a checkout of its libraries/python); skipped elsewhere, e.g. in CI.
const python = process.env.PYTHON ?? "python3";
const pythonReady = spawnSync(python, ["-c", "import standardwebhooks.webhooks"], { stdio: "ignore" }).status === 0;
describe.skipIf(!pythonReady)("with Python", () => {
  receiverContract("the Python snippet, run as written (http.server + standardwebhooks)", (secret) =>
    runSnippet(python, ["-u", "-c", PYTHON_SNIPPET.code], {
      ...(secret ? { AKOL_WEBHOOK_SECRET: secret } : {}),
      ...(process.env.PYTHONPATH ? { PYTHONPATH: process.env.PYTHONPATH } : {}),
    }),
  );
});

// The Go snippet needs its module from the Go proxy, so it is built outside the test
// (go build of GO_SNIPPET.code with the standard-webhooks module); point
// DOCS_GO_SNIPPET_BINARY at the binary to run the same contract against it.
const goBinary = process.env.DOCS_GO_SNIPPET_BINARY;
describe.skipIf(!goBinary)("with Go", () => {
  receiverContract("the Go snippet, built from GO_SNIPPET.code (net/http + standardwebhooks)", (secret) =>
    runSnippet(goBinary ?? "", [], secret ? { AKOL_WEBHOOK_SECRET: secret } : {}),
  );
});

describe("the by-hand verification snippet", () => {
  let dir: string;
  let verify: (secret: string, headers: Record<string, string>, rawBody: string) => boolean;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "akol-docs-"));
    const file = path.join(dir, MANUAL_NODE_SNIPPET.filename);
    writeFileSync(file, MANUAL_NODE_SNIPPET.code);
    const mod = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { verifyAkolWebhook: typeof verify };
    verify = mod.verifyAkolWebhook;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts what lib/outbound/sign.ts sends and rejects tampering, other secrets and stale timestamps", () => {
    const secret = generateSecret();
    const raw = body();
    const headers = signedHeaders(secret, newId("msg"), raw);
    expect(verify(secret, headers, raw)).toBe(true);
    expect(verify(secret, headers, `${raw} `)).toBe(false);
    expect(verify(generateSecret(), headers, raw)).toBe(false);
    expect(verify(secret, signedHeaders(secret, newId("msg"), raw, new Date(Date.now() - 6 * 60_000)), raw)).toBe(
      false,
    );
    expect(verify(secret, { ...headers, "webhook-signature": `v1,AAAA ${headers["webhook-signature"]}` }, raw)).toBe(
      true,
    );
    expect(verify(secret, { ...headers, "webhook-signature": "v2,whatever" }, raw)).toBe(false);
  });
});
