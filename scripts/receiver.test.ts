import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { generateSecret } from "@/lib/webhooks/secret";
import { TSX_NODE_ARGS } from "@/test/support/node-args";

/**
 * `npm run receiver` as a real process: its printed lines, its answers, its
 * signature verdicts (signed here with the official standardwebhooks
 * library), and its CA, made once in DATA_DIR and reused.
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), "akol-receiver-"));
const caFile = path.join(dataDir, "receiver", "ca.pem");
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  port: number;
  lines: string[];
  /** Resolves with the first printed line matching `re` (already printed or to come). */
  next(re: RegExp): Promise<string>;
  stop(): Promise<number | null>;
}

function spawnReceiver(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...TSX_NODE_ARGS, "scripts/receiver.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: "development", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  return child;
}

/** Runs to completion (usage errors); returns exit code and output. */
function runToEnd(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnReceiver(args);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

async function startRun(args: string[]): Promise<Run> {
  const child = spawnReceiver(["--port", "0", ...args]);
  const lines: string[] = [];
  const waiters: { re: RegExp; from: number; resolve: (l: string) => void }[] = [];
  let buffer = "";
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout?.on("data", (d: Buffer) => {
    buffer += d.toString();
    let i: number;
    while ((i = buffer.indexOf("\n")) >= 0) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
    for (const w of [...waiters]) {
      const hit = lines.slice(w.from).find((l) => w.re.test(l));
      if (hit !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  });
  const next = (re: RegExp, from = lines.length) =>
    new Promise<string>((resolve, reject) => {
      const hit = lines.slice(from).find((l) => re.test(l));
      if (hit !== undefined) return resolve(hit);
      const timer = setTimeout(
        () => reject(new Error(`no line matching ${re} in:\n${lines.join("\n")}\nstderr:\n${stderr}`)),
        30_000,
      );
      waiters.push({
        re,
        from,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  const urlLine = await next(/on https:\/\/127\.0\.0\.1:\d+\/$/, 0);
  await next(/^Waiting for deliveries/, 0);
  const port = Number(/:(\d+)\/$/.exec(urlLine)?.[1]);
  return {
    child,
    port,
    lines,
    next: (re) => next(re, 0),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
}

interface Sent {
  status: number;
  body: string;
  ms: number;
}

function post(port: number, body: string, headers: Record<string, string>, ca = readFileSync(caFile)): Promise<Sent> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/hooks",
        ca,
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, ms: Date.now() - started }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function signed(secret: string, id: string, payload: unknown, extra: Record<string, string> = {}) {
  const body = JSON.stringify(payload);
  const now = new Date();
  const signature = new Webhook(secret).sign(id, now, body);
  return {
    body,
    headers: {
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signature,
      ...extra,
    },
  };
}

const secret = generateSecret();
const event = { type: "call.ended", timestamp: new Date().toISOString(), data: { id: "call_1" } };
const LINE = /^\d{2}:\d{2}:\d{2} {2}/;

describe("npm run receiver", () => {
  let firstCa = "";

  it("first start: makes the CA, prints its URL, and verifies signatures with --secret", async () => {
    expect(existsSync(caFile)).toBe(false);
    const run = await startRun(["--secret", secret]);
    try {
      expect(run.lines.join("\n")).toContain(`https://127.0.0.1:${run.port}/`);
      expect(run.lines.join("\n")).toMatch(/local CA .*ca\.pem \(created now\)/);
      firstCa = readFileSync(caFile, "utf8");
      expect(JSON.parse(readFileSync(path.join(dataDir, "receiver", "receiver.json"), "utf8"))).toEqual({
        port: run.port,
      });

      // a good signature, with an attempt header
      const good = signed(secret, "msg_good", event, { "webhook-attempt": "2" });
      const ok = await post(run.port, good.body, good.headers);
      expect(ok.status).toBe(200);
      const okLine = await run.next(/msg_good/);
      expect(okLine).toMatch(LINE);
      expect(okLine).toMatch(/ {2}call\.ended {2}msg_good {2}attempt 2 {2}→ 200 {2}signature verified$/);

      // signed with another secret
      const bad = signed(generateSecret(), "msg_bad", { ...event, test: true });
      expect((await post(run.port, bad.body, bad.headers)).status).toBe(200);
      expect(await run.next(/msg_bad/)).toMatch(/call\.ended \(test\) {2}msg_bad {2}→ 200 {2}signature INVALID \(/);

      // the right signature over another body
      const tampered = signed(secret, "msg_tampered", event);
      await post(run.port, tampered.body.replace("call_1", "call_2"), tampered.headers);
      expect(await run.next(/msg_tampered/)).toMatch(/signature INVALID/);

      // unsigned
      await post(run.port, JSON.stringify(event), { "webhook-id": "msg_unsigned" });
      expect(await run.next(/msg_unsigned/)).toMatch(/→ 200 {2}unsigned/);

      // the certificate really is the CA's: without it, TLS fails
      const { rootCertificates } = await import("node:tls");
      await expect(post(run.port, "{}", {}, Buffer.from(rootCertificates.join("\n")))).rejects.toThrow(
        /self-signed|unable to verify|certificate/i,
      );
    } finally {
      expect(await run.stop()).toBe(0);
    }
  });

  it("second start: reuses the CA; --status 500 answers 500 (probes still 200); no secret, no verdict", async () => {
    const run = await startRun(["--status", "500"]);
    try {
      expect(run.lines.join("\n")).toMatch(/local CA .*ca\.pem \(reused\)/);
      expect(readFileSync(caFile, "utf8")).toBe(firstCa);
      expect(run.lines.join("\n")).toContain("answering 500");

      const d = signed(secret, "msg_500", event);
      const res = await post(run.port, d.body, d.headers);
      expect(res.status).toBe(500);
      expect(await run.next(/msg_500/)).toMatch(/msg_500 {2}→ 500 \(--status\) {2}signature not checked/);
      // a retry (same webhook-id, no webhook-attempt header) is marked as such
      expect((await post(run.port, d.body, d.headers)).status).toBe(500);
      expect(await run.next(/msg_500 {2}seen 2×/)).toMatch(/msg_500 {2}seen 2× {2}→ 500 \(--status\)/);

      const probe = signed(secret, "msg_probe", { type: "webhook.probe", data: {} });
      expect((await post(run.port, probe.body, probe.headers)).status).toBe(200);
      expect(await run.next(/msg_probe/)).toMatch(/webhook\.probe {2}msg_probe {2}→ 200 \(probe: always accepted\)/);
    } finally {
      expect(await run.stop()).toBe(0);
    }
    expect(readFileSync(caFile, "utf8")).toBe(firstCa);
  });

  it("--fail-rate 1 fails every delivery with 500, --delay-ms delays the answer", async () => {
    const run = await startRun(["--fail-rate", "1", "--delay-ms", "400", "--secret", secret]);
    try {
      const d = signed(secret, "msg_fail", event);
      const res = await post(run.port, d.body, d.headers);
      expect(res.status).toBe(500);
      expect(res.ms).toBeGreaterThanOrEqual(390);
      expect(await run.next(/msg_fail/)).toMatch(
        /msg_fail {2}→ 500 \(simulated failure, --fail-rate\) after 400 ms {2}signature verified$/,
      );
      // a sender that hangs up first (its timeout) is reported so; a type with a newline stays on one line
      const gaveUp = signed(secret, "msg_gave_up", { type: "call.\nended", data: {} });
      await new Promise<void>((resolve) => {
        const req = request(
          { host: "127.0.0.1", port: run.port, method: "POST", ca: readFileSync(caFile), headers: gaveUp.headers },
          () => undefined,
        );
        req.on("error", () => resolve());
        req.setTimeout(100, () => req.destroy());
        req.end(gaveUp.body);
      });
      expect(await run.next(/msg_gave_up/)).toMatch(
        /call\.\?ended {2}msg_gave_up {2}→ no answer: the sender hung up after \d+ ms \(its timeout\) {2}signature verified$/,
      );
    } finally {
      await run.stop();
    }
  });

  it("user errors are one line, no stack trace; --help explains the flags", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const busyPort = (busy.address() as AddressInfo).port;
    try {
      const [status, fail, secretArg, unknown, port, help] = await Promise.all([
        runToEnd(["--status", "abc"]),
        runToEnd(["--fail-rate", "2"]),
        runToEnd(["--secret", "not-a-secret"]),
        runToEnd(["--colour"]),
        runToEnd(["--port", String(busyPort)]),
        runToEnd(["--help"]),
      ]);
      for (const [r, re] of [
        [status, /--status must be a whole number/],
        [fail, /--fail-rate must be a number from 0 to 1/],
        [secretArg, /--secret: that is not a signing secret/],
        [unknown, /--colour/],
      ] as const) {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(re);
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(port.code).toBe(1);
      expect(port.stderr.trim()).toBe(
        `receiver: port ${busyPort} on 127.0.0.1 is already in use (another receiver?); ` +
          `choose another with: npm run receiver -- --port ${busyPort + 1}`,
      );
      expect(help.code).toBe(0);
      for (const flag of ["--port", "--secret", "--status", "--delay-ms", "--fail-rate"]) {
        expect(help.stdout).toContain(flag);
      }
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
