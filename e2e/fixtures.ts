import { expect, test as base, type APIRequestContext, type Page } from "@playwright/test";
import { Webhook as StandardWebhook } from "standardwebhooks";
import {
  startReceiver,
  type ReceivedRequest,
  type Receiver,
  type ReceiverHandler,
} from "../test/support/https-receiver";
import { readE2eTls } from "./tls";

/**
 * Fixtures of the webhook specs: a real HTTPS receiver on 127.0.0.1 whose
 * certificate is signed by the CA the app under test trusts (e2e/tls.ts),
 * and small helpers for what a new user does first.
 *
 * The receiver is test/support/https-receiver.ts `startReceiver` (the
 * integration tests' one) serving the certificate of the CA the app under
 * test was started with (<DATA_DIR>/tls, written before any worker existed).
 */

export type { ReceivedRequest, Receiver, ReceiverHandler };

export function startE2eReceiver(handler?: ReceiverHandler): Promise<Receiver> {
  return startReceiver(handler, readE2eTls());
}

/** Answers every request with `status` and a JSON body (the receiver "failing"). */
export const answer =
  (status: number, body: unknown, delayMs = 0): ReceiverHandler =>
  async (_req, res) => {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    res.writeHead(status, { "content-type": "application/json", "x-receiver": "e2e" });
    res.end(JSON.stringify(body));
  };

/** Verifies a received request with the official Standard Webhooks library; returns the parsed body or throws. */
export function verifyWith(secret: string, r: ReceivedRequest): unknown {
  return new StandardWebhook(secret.replace(/^whsec_/, "")).verify(r.body, {
    "webhook-id": String(r.headers["webhook-id"]),
    "webhook-timestamp": String(r.headers["webhook-timestamp"]),
    "webhook-signature": String(r.headers["webhook-signature"]),
  });
}

export const uniqueEmail = (label = "e2e") => `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
export const PASSWORD = "a-long-e2e-password";

/** Signs up through the UI as a new user; lands on /webhooks. */
export async function signUp(page: Page, email = uniqueEmail()): Promise<string> {
  await page.goto("/sign-up");
  await page.waitForLoadState("networkidle"); // hydrated: the form submits through its handler, not natively
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(page.getByTestId("current-user")).toHaveText(email);
  return email;
}

/** Creates an API key on the API keys page (shown once) and returns it. */
export async function createApiKeyThroughUi(page: Page, name = "e2e publisher"): Promise<string> {
  await page.getByRole("link", { name: "API keys" }).click();
  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create key" }).click();
  const reveal = page.getByRole("dialog", { name: "Your new API key" });
  const key = ((await reveal.getByTestId("revealed-key").textContent()) ?? "").trim();
  expect(key).toMatch(/^akol_sk_/);
  await reveal.getByRole("button", { name: "I have saved it" }).click();
  await expect(reveal).toBeHidden();
  return key;
}

/** Publishes an event through the public API with an API key, using the catalog's example data. */
export async function publishEvent(request: APIRequestContext, key: string, type: string): Promise<{ id: string }> {
  const auth = { authorization: `Bearer ${key}` };
  const catalog = (await (await request.get("/api/v1/event-types", { headers: auth })).json()) as {
    data: { type: string; example: Record<string, unknown> }[];
  };
  const example = catalog.data.find((e) => e.type === type)?.example;
  expect(example, `catalog example of ${type}`).toBeDefined();
  const res = await request.post("/api/v1/events", { headers: auth, data: { type, data: example } });
  expect(res.status(), await res.text()).toBe(202);
  return ((await res.json()) as { data: { id: string } }).data;
}

/** Waits until the receiver has more than `count` requests; returns the newest. */
export async function nextRequest(receiver: Receiver, count: number, timeout = 30_000): Promise<ReceivedRequest> {
  await expect.poll(() => receiver.requests.length, { timeout }).toBeGreaterThan(count);
  return receiver.requests[receiver.requests.length - 1]!;
}

export const test = base.extend<{ receiver: Receiver }>({
  receiver: async ({}, use) => {
    const receiver = await startE2eReceiver();
    await use(receiver);
    await receiver.close();
  },
});

export { expect };
