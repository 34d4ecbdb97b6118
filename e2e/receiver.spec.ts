import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, signUp, test } from "./fixtures";
import { TSX_NODE_ARGS } from "../test/support/node-args";
import { readE2eTls } from "./tls";

/**
 * The "Try it in two minutes" flow with the real `npm run receiver`
 * (scripts/receiver.ts as a child process): create an endpoint on the URL it
 * prints, copy the secret, give it to the receiver, send a test event, and
 * read the receiver's "signature verified" line for that delivery.
 *
 * The app under test is the production build (playwright.config.ts), which
 * allows a local receiver only through WEBHOOK_ALLOWED_TARGETS and trusts the
 * e2e CA through NODE_EXTRA_CA_CERTS. So the receiver gets a DATA_DIR whose
 * receiver/ holds that CA's files: it reuses them instead of making its own
 * (the development-only allowance is tested in lib/outbound/local-receiver.test.ts).
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));

class ReceiverProcess {
  readonly lines: string[] = [];
  private stderr = "";
  private readonly child: ChildProcess;

  constructor(dataDir: string, args: string[]) {
    this.child = spawn(process.execPath, [...TSX_NODE_ARGS, "scripts/receiver.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: "development" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buffer = "";
    this.child.stdout?.on("data", (d: Buffer) => {
      buffer += d.toString();
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        this.lines.push(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    });
    this.child.stderr?.on("data", (d: Buffer) => (this.stderr += d.toString()));
  }

  /** The first printed line matching `re`, waiting for it. */
  async line(re: RegExp, timeout = 30_000): Promise<string> {
    await expect
      .poll(() => this.lines.some((l) => re.test(l)), {
        timeout,
        message: `receiver output matching ${re}:\n${this.lines.join("\n")}\n${this.stderr}`,
      })
      .toBe(true);
    return this.lines.find((l) => re.test(l))!;
  }

  /** Waits until it listens; returns its URL. */
  async url(): Promise<string> {
    const line = await this.line(/https:\/\/127\.0\.0\.1:\d+\/$/);
    await this.line(/^Waiting for deliveries/);
    return /https:\/\/127\.0\.0\.1:\d+\//.exec(line)![0];
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}

test("npm run receiver: create an endpoint on its URL, send a test, see it verified in its output", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "akol-e2e-receiver-"));
  const tls = readE2eTls();
  mkdirSync(path.join(dataDir, "receiver"), { recursive: true });
  for (const f of ["ca.pem", "server.pem", "server.key"]) {
    copyFileSync(path.join(tls.dir, f), path.join(dataDir, "receiver", f));
  }
  const started: ReceiverProcess[] = [];
  const start = (args: string[]) => {
    const r = new ReceiverProcess(dataDir, args);
    started.push(r);
    return r;
  };
  try {
    // --- terminal 2: npm run receiver (a free port here; 9443 by default)
    let receiver = start(["--port", "0"]);
    const url = await receiver.url();
    const port = new URL(url).port;
    await receiver.line(/local CA .*ca\.pem \(reused\)/);

    // --- create the endpoint on its URL; the probe reaches the receiver
    await signUp(page);
    await page.getByRole("button", { name: "Add endpoint", exact: true }).click();
    const create = page.getByRole("dialog", { name: "Add a webhook endpoint" });
    await create.getByLabel("Endpoint URL").fill(url);
    await create.getByLabel("call.ended", { exact: true }).check();
    await create.getByRole("button", { name: "Create webhook" }).click();

    // --- reveal and copy the secret
    const reveal = page.getByRole("dialog", { name: "Your webhook signing secret" });
    await expect(reveal).toBeVisible();
    await reveal.getByRole("button", { name: "Copy secret" }).click();
    const secret = await page.evaluate(() => navigator.clipboard.readText());
    expect(secret).toMatch(/^whsec_/);
    await reveal.getByRole("button", { name: "I have saved it" }).click();
    await expect(reveal).toBeHidden();
    const probeLine = await receiver.line(/webhook\.probe/);
    expect(probeLine).toMatch(
      / {2}webhook\.probe {2}msg_\S+ {2}→ 200 \(probe: always accepted\) {2}signature not checked/,
    );

    // --- the receiver again, with the secret (npm run receiver -- --secret whsec_…)
    await receiver.stop();
    receiver = start(["--port", port, "--secret", secret]);
    expect(await receiver.url()).toBe(url);
    await receiver.line(/signatures verified with the secret given/);

    // --- send a test event from the endpoint's page
    const row = page.getByTestId("webhook-row").filter({ hasText: url });
    await row.getByRole("link", { name: url }).click();
    await expect(page).toHaveURL(/\/webhooks\/whk_/);
    await page.getByLabel("Event to send").selectOption("call.ended");
    await page.getByRole("button", { name: "Send test event" }).click();
    const testRow = page.locator('[data-testid="delivery-row"][data-kind="test"]').first();
    await expect(testRow.getByTestId("delivery-status")).toHaveText("Succeeded", { timeout: 45_000 });

    // --- the receiver printed it, verified, with the delivery's webhook-id
    const line = await receiver.line(/call\.ended \(test\)/);
    expect(line).toMatch(/^\d{2}:\d{2}:\d{2} {2}call\.ended \(test\) {2}msg_\S+ {2}.*→ 200 {2}signature verified$/);
    await testRow.locator("button[aria-expanded]").first().click();
    const messageId = ((await testRow.getByTestId("delivery-message-id").textContent()) ?? "").trim();
    expect(messageId).toMatch(/^msg_/);
    expect(line).toContain(`  ${messageId}  `);
  } finally {
    await Promise.all(started.map((r) => r.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
