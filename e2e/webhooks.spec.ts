import type { Locator, Page } from "@playwright/test";
import { answer, createApiKeyThroughUi, expect, nextRequest, publishEvent, signUp, test, verifyWith } from "./fixtures";

/**
 * The 2 a.m. story, as a new user in a real browser against the production
 * build and a real HTTPS receiver: subscribe, see the secret once, test,
 * watch a real event fail, find it, fix the endpoint, replay, rotate,
 * disable/re-enable, delete.
 */

const MASKED = "whsec_••••••••••";
const SETTLE = { timeout: 45_000 };

const rows = (page: Page) => page.getByTestId("delivery-row");
const rowOf = (page: Page, kind: "event" | "test" | "replay", status?: string) =>
  page.locator(`[data-testid="delivery-row"][data-kind="${kind}"]${status ? `[data-status="${status}"]` : ""}`);
const expand = async (row: Locator) => {
  const toggle = row.locator("button[aria-expanded]").first();
  if ((await toggle.getAttribute("aria-expanded")) !== "true") await toggle.click();
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
};

test("subscribe, test, fail, find, fix, replay, rotate, disable, delete", async ({ page, receiver }) => {
  test.setTimeout(240_000);
  const email = await signUp(page);
  expect(email).toContain("@");

  // --- the empty list
  await expect(page.getByText("No webhooks yet")).toBeVisible();

  // --- create: a failing probe shows its reason inline, on the URL field
  await page.getByRole("button", { name: "Add endpoint", exact: true }).click();
  const create = page.getByRole("dialog", { name: "Add a webhook endpoint" });
  await expect(create.getByRole("group", { name: "Calls" })).toBeVisible();
  await expect(create.getByText("Appointments", { exact: true })).toBeVisible();
  await create.getByLabel("Endpoint URL").fill(receiver.url);
  await create.getByLabel("call.ended", { exact: true }).check();
  await create.getByLabel("appointment.scheduled", { exact: true }).check();

  receiver.setHandler(answer(500, { error: "not ready" }));
  await create.getByRole("button", { name: "Create webhook" }).click();
  await expect(create.getByText(/answered 500/)).toBeVisible();
  await expect(create.getByLabel("Endpoint URL")).toHaveAttribute("aria-invalid", "true");

  // --- then passes (slowly, so the pending state shows)
  receiver.setHandler(answer(200, { ok: true }, 1_500));
  const probesBefore = receiver.requests.length;
  await create.getByRole("button", { name: "Create webhook" }).click();
  await expect(create.getByRole("button", { name: "Checking your endpoint…" })).toBeDisabled();

  // --- the secret, once
  const reveal = page.getByRole("dialog", { name: "Your webhook signing secret" });
  await expect(reveal).toContainText("you will not see this secret again");
  const secret = ((await reveal.getByTestId("revealed-secret").textContent()) ?? "").trim();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
  await reveal.getByRole("button", { name: "Copy secret" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  // the probe was signed with it
  const probe = receiver.requests[probesBefore];
  expect(probe).toBeDefined();
  expect(verifyWith(secret, probe!)).toMatchObject({ type: "webhook.probe" });
  // a click outside does not lose it; the explicit button does, for good
  await page.mouse.click(5, 5);
  await expect(reveal).toBeVisible();
  await reveal.getByRole("button", { name: "I have saved it" }).click();
  await expect(reveal).toBeHidden();

  receiver.setHandler();
  const row = page.getByTestId("webhook-row").filter({ hasText: receiver.url });
  await expect(row).toContainText("Active");
  await expect(row).toContainText("call.ended");
  await expect(row).toContainText("appointment.scheduled");
  await expect(row).toContainText(MASKED);
  await expect(row).toContainText("Never");
  await expect(page.locator("body")).not.toContainText(secret);
  const stored = await page.evaluate(() =>
    JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, url: location.href }),
  );
  expect(stored).not.toContain(secret.slice(6));
  await page.reload();
  await expect(page.getByTestId("webhook-row")).toHaveCount(1);
  await expect(page.locator("body")).not.toContainText(secret);

  // --- the detail page: send a test event and watch it succeed in the log
  await row.getByRole("link", { name: receiver.url }).click();
  await expect(page).toHaveURL(/\/webhooks\/whk_/);
  const webhookId = page.url().split("/webhooks/")[1]!.split("?")[0]!;
  await expect(page.getByTestId("webhook-url")).toHaveText(receiver.url);
  await expect(page.getByTestId("deliveries-empty")).toBeVisible();

  let seen = receiver.requests.length;
  await page.getByLabel("Event to send").selectOption("call.ended");
  await page.getByRole("button", { name: "Send test event" }).click();
  const testRow = rowOf(page, "test").first();
  await expect(testRow).toBeVisible(); // at once, before the delivery settles
  await expect(testRow.getByTestId("delivery-status")).toHaveText("Succeeded", SETTLE);
  const testRequest = await nextRequest(receiver, seen);
  expect(verifyWith(secret, testRequest)).toMatchObject({ type: "call.ended", test: true });
  await expand(testRow);
  await expect(testRow.getByTestId("delivery-payload")).toContainText('"test": true');
  await expect(testRow.getByTestId("delivery-response")).toContainText("200");
  await expect(testRow.getByTestId("delivery-response-body")).toHaveText("ok");
  await expect(testRow.getByTestId("delivery-message-id")).toHaveText(String(testRequest.headers["webhook-id"]));
  await testRow.getByRole("button", { name: "Copy webhook-id" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(String(testRequest.headers["webhook-id"]));
  await testRow.getByRole("button", { name: "Copy payload" }).click();
  expect(JSON.parse(await page.evaluate(() => navigator.clipboard.readText()))).toEqual(JSON.parse(testRequest.body));

  // --- the receiver breaks; a real event is published with an API key made in the UI
  const key = await createApiKeyThroughUi(page);
  receiver.setHandler(answer(500, { error: "database is down", trace: "e2e-7f3a" }));
  seen = receiver.requests.length;
  const event = await publishEvent(page.request, key, "call.ended");
  // four attempts (now, +1 s, +2 s, +3 s with WEBHOOK_RETRY_SCHEDULE=1,2,3), then failed
  await expect.poll(() => receiver.requests.length - seen, { timeout: 45_000 }).toBeGreaterThanOrEqual(4);
  const failedMessageId = String(receiver.requests[seen]!.headers["webhook-id"]);
  for (const r of receiver.requests.slice(seen)) expect(String(r.headers["webhook-id"])).toBe(failedMessageId);

  // --- find it: filter Failed (a shareable URL)
  await page.goto(`/webhooks/${webhookId}`);
  await page.getByRole("radio", { name: "Failed" }).check();
  await expect(page).toHaveURL(/status=failed/);
  const failedRow = rowOf(page, "event").first();
  await expect(failedRow.getByTestId("delivery-status")).toHaveText("Failed", SETTLE);
  await expect(rowOf(page, "test")).toHaveCount(0);
  await expect(failedRow).toContainText("HTTP 500");
  await expand(failedRow);
  await expect(failedRow.getByTestId("delivery-response-body")).toContainText("database is down");
  await expect(failedRow.getByTestId("delivery-message-id")).toHaveText(failedMessageId);
  await expect(failedRow).toContainText(event.id);
  await expect(failedRow.getByTestId("attempt-timeline").locator("li")).toHaveCount(4);
  await expect(page.getByTestId("failure-count")).toHaveText("1");

  // the same view from a shared link
  const shared = page.url();
  await page.goto("/webhooks");
  await page.goto(shared);
  await expect(page.getByRole("radio", { name: "Failed" })).toBeChecked();
  await expect(rows(page)).toHaveCount(1);
  await page.getByLabel("Event type", { exact: true }).selectOption("appointment.scheduled");
  await expect(page).toHaveURL(/event=appointment\.scheduled/);
  await expect(page.getByText("No deliveries match these filters.")).toBeVisible();
  await page.getByLabel("Event type", { exact: true }).selectOption("");
  await expect(rows(page)).toHaveCount(1);

  // --- fix the receiver, replay in one click, see the success
  receiver.setHandler();
  seen = receiver.requests.length;
  const replayButton = rowOf(page, "event")
    .first()
    .getByRole("button", { name: /^Replay/ });
  await replayButton.click();
  const replayResult = rowOf(page, "event").first().getByTestId("replay-result");
  await expect(replayResult).toBeVisible();
  await expect(replayResult.getByTestId("delivery-status")).toHaveText("Succeeded", SETTLE);
  const replayed = await nextRequest(receiver, seen);
  expect(String(replayed.headers["webhook-id"])).toBe(failedMessageId); // same message id on replay
  expect(verifyWith(secret, replayed)).toMatchObject({ type: "call.ended" });
  // the new row is in the log without a reload
  await page.getByRole("radio", { name: "All" }).check();
  await expect(rowOf(page, "replay", "succeeded")).toHaveCount(1);
  await expect(page.getByTestId("failure-count")).toHaveText("0", SETTLE);

  // --- health: deliveries and attempts are counted apart (the failed event was later replayed)
  await expect(page.getByTestId("delivery-success")).toContainText("Delivery success");
  await expect(page.getByTestId("attempt-success")).toContainText(/Attempt success\s*\d+(\.\d)?%/);

  // --- rotate: the old secret dies, the next delivery verifies only with the new one
  await page.getByRole("button", { name: "Rotate secret" }).click();
  const confirmRotate = page.getByRole("dialog", { name: "Rotate the signing secret?" });
  await expect(confirmRotate).toContainText("stops working immediately");
  await confirmRotate.getByRole("button", { name: "Rotate now" }).click();
  const newReveal = page.getByRole("dialog", { name: "Your new signing secret" });
  await expect(newReveal).toContainText("you will not see this secret again");
  const newSecret = ((await newReveal.getByTestId("revealed-secret").textContent()) ?? "").trim();
  expect(newSecret).toMatch(/^whsec_/);
  expect(newSecret).not.toBe(secret);
  await newReveal.getByRole("button", { name: "I have saved it" }).click();
  await expect(newReveal).toBeHidden();
  await expect(page.locator("body")).not.toContainText(newSecret);

  seen = receiver.requests.length;
  await page.getByRole("button", { name: "Send test event" }).click();
  await expect(rowOf(page, "test", "succeeded")).toHaveCount(2, SETTLE);
  const afterRotation = await nextRequest(receiver, seen);
  expect(verifyWith(newSecret, afterRotation)).toMatchObject({ type: "call.ended", test: true });
  expect(() => verifyWith(secret, afterRotation)).toThrow();

  // --- disable, then re-enable (which probes first: a failing probe keeps it disabled)
  await page.getByRole("button", { name: "Disable", exact: true }).click();
  const disable = page.getByRole("dialog", { name: "Disable this endpoint?" });
  await disable.getByRole("button", { name: "Disable endpoint" }).click();
  await expect(disable).toBeHidden();
  await expect(page.getByTestId("webhook-state")).toContainText("Disabled");

  receiver.setHandler(answer(503, { error: "still deploying" }));
  await page.getByRole("button", { name: "Re-enable" }).click();
  const enable = page.getByRole("dialog", { name: "Re-enable this endpoint?" });
  await expect(enable).toContainText("probe");
  await enable.getByRole("button", { name: "Probe and re-enable" }).click();
  await expect(enable.getByTestId("toggle-error")).toContainText("503");
  await expect(page.getByTestId("webhook-state")).toContainText("Disabled");
  receiver.setHandler();
  seen = receiver.requests.length;
  await enable.getByRole("button", { name: "Probe and re-enable" }).click();
  await expect(enable).toBeHidden();
  await expect(page.getByTestId("webhook-state")).toContainText("Active");
  const reEnableProbe = await nextRequest(receiver, seen);
  expect(verifyWith(newSecret, reEnableProbe)).toMatchObject({ type: "webhook.probe" });

  // --- delete: explicit confirmation explaining log retention
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const del = page.getByRole("dialog", { name: "Delete this webhook?" });
  await expect(del).toContainText("30 days");
  await del.getByRole("button", { name: "Delete webhook" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(page.getByText("No webhooks yet")).toBeVisible();
  const gone = await page.request.get(`/api/v1/webhooks/${webhookId}`);
  expect(gone.status()).toBe(404);
  // the history stays readable through the API
  const logs = await page.request.get(`/api/v1/webhooks/${webhookId}/deliveries`, {
    headers: { authorization: `Bearer ${key}` },
  });
  expect(logs.status()).toBe(200);
  expect(((await logs.json()) as { data: unknown[] }).data.length).toBeGreaterThanOrEqual(4);
});

test("a second user sees none of the first one's webhooks or deliveries", async ({ browser, receiver }) => {
  test.setTimeout(120_000);
  const first = await browser.newContext();
  const a = await first.newPage();
  await signUp(a, undefined);
  const created = await a.request.post("/api/v1/webhooks", { data: { url: receiver.url, events: ["call.ended"] } });
  expect(created.status(), await created.text()).toBe(201);
  const webhook = ((await created.json()) as { data: { id: string } }).data;
  const sent = await a.request.post(`/api/v1/webhooks/${webhook.id}/test`, { data: { event: "call.ended" } });
  expect(sent.status()).toBe(202);
  const delivery = ((await sent.json()) as { data: { id: string } }).data;
  await a.goto(`/webhooks/${webhook.id}`);
  await expect(rows(a)).toHaveCount(1);
  // its first view comes rendered from the server: the webhook and its log are in the HTML itself
  const own = await a.request.get(`/webhooks/${webhook.id}`);
  expect(own.status()).toBe(200);
  const ownHtml = await own.text();
  expect(ownHtml).toContain('data-testid="delivery-row"');
  expect(ownHtml).toContain(delivery.id);

  const second = await browser.newContext();
  const b = await second.newPage();
  await signUp(b);
  await expect(b.getByText("No webhooks yet")).toBeVisible();
  await expect(b.locator("body")).not.toContainText(receiver.url);
  // the page is rendered on the server in b's workspace: a 404, with nothing of a's webhook in it
  const page404 = await b.goto(`/webhooks/${webhook.id}`);
  expect(page404?.status()).toBe(404);
  expect(await page404?.text()).not.toContain(receiver.url);
  await expect(b.getByText("Webhook not found")).toBeVisible();
  await expect(rows(b)).toHaveCount(0);

  for (const path of [
    `/api/v1/webhooks/${webhook.id}`,
    `/api/v1/webhooks/${webhook.id}/deliveries`,
    `/api/v1/webhooks/${webhook.id}/deliveries/${delivery.id}`,
    `/api/v1/webhooks/${webhook.id}/stats`,
  ]) {
    expect((await b.request.get(path)).status(), path).toBe(404);
  }
  expect((await b.request.post(`/api/v1/webhooks/${webhook.id}/deliveries/${delivery.id}/replay`)).status()).toBe(404);
  const list = (await (await b.request.get("/api/v1/webhooks")).json()) as { data: unknown[] };
  expect(list.data).toEqual([]);
  const sparklines = (await (await b.request.get("/api/v1/webhooks/stats")).json()) as {
    data: { webhooks: unknown[] };
  };
  expect(sparklines.data.webhooks).toEqual([]);

  await first.close();
  await second.close();
});

test("the delivery log pages through deliveries, newest first, with the page in the URL", async ({
  page,
  receiver,
}) => {
  test.setTimeout(120_000);
  await signUp(page);
  const created = await page.request.post("/api/v1/webhooks", {
    data: { url: receiver.url, events: ["voicemail.received"] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = ((await created.json()) as { data: { id: string } }).data;
  const ids: string[] = [];
  for (let i = 0; i < 22; i++) {
    const res = await page.request.post(`/api/v1/webhooks/${id}/test`, {
      data: { event: i % 2 ? "call.missed" : "voicemail.received" },
    });
    expect(res.status()).toBe(202);
    ids.push(((await res.json()) as { data: { id: string } }).data.id);
  }

  await page.goto(`/webhooks/${id}`);
  await expect(rows(page)).toHaveCount(20);
  await expect(page.getByText("Page 1 of 2 · 22 deliveries")).toBeVisible();
  await expect(rows(page).first()).toHaveAttribute("data-delivery-id", ids[21]!);
  await expect(page.getByRole("button", { name: "Newer" })).toBeDisabled();
  await page.getByRole("button", { name: "Older" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).first()).toHaveAttribute("data-delivery-id", ids[1]!);
  await expect(rows(page).last()).toHaveAttribute("data-delivery-id", ids[0]!);
  await page.reload();
  await expect(page.getByText("Page 2 of 2 · 22 deliveries")).toBeVisible();
  await expect(rows(page)).toHaveCount(2);

  // a filter starts again at page 1
  await page.getByLabel("Event type", { exact: true }).selectOption("call.missed");
  await expect(page).not.toHaveURL(/page=2/);
  await expect(rows(page)).toHaveCount(11);
  await expect(page.getByText("Page 1 of 1 · 11 deliveries")).toBeVisible();
});
