import type { Page } from "@playwright/test";
import { expect, signUp, test } from "./fixtures";

/**
 * Bulk recovery from the dashboard (issue 14): an endpoint that was down for
 * three events, then up; "Recover failed deliveries…" on its detail page,
 * the window picker with the count of what will be sent, and the progress
 * until it completes — at a phone's width, in dark mode. The receiver gets
 * each failed message again exactly once, with its original webhook-id.
 */

const PHONE = { width: 390, height: 844 };

type Row = { id: string; status: string; messageId: string };

async function failedDeliveries(page: Page, id: string): Promise<Row[]> {
  const res = await page.request.get(`/api/v1/webhooks/${id}/deliveries?limit=100`);
  const rows = ((await res.json()) as { data: Row[] }).data;
  return rows.filter((r) => r.status === "failed");
}

test("recover an outage's failed deliveries from the detail page and watch the progress", async ({
  browser,
  receiver,
}, info) => {
  const context = await browser.newContext({ viewport: PHONE, colorScheme: "dark" });
  const page = await context.newPage();
  let up = false;
  receiver.setHandler((q, res) => {
    const probe = q.body.includes("webhook.probe");
    res.writeHead(probe || up ? 200 : 503).end();
  });

  await signUp(page);
  const created = await page.request.post("/api/v1/webhooks", {
    data: { url: receiver.urlFor("localhost", "/hooks/recover"), events: ["call.ended"] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = ((await created.json()) as { data: { id: string } }).data;
  const catalog = (await (await page.request.get("/api/v1/event-types")).json()) as {
    data: { type: string; example: Record<string, unknown> }[];
  };
  const data = catalog.data.find((e) => e.type === "call.ended")!.example;
  for (let i = 0; i < 3; i++)
    expect((await page.request.post("/api/v1/events", { data: { type: "call.ended", data } })).status()).toBe(202);
  // four attempts each (WEBHOOK_RETRY_SCHEDULE=1,2,3 in playwright.config.ts), then failed
  await expect.poll(async () => (await failedDeliveries(page, id)).length, { timeout: 45_000 }).toBe(3);
  const failed = await failedDeliveries(page, id);
  up = true;
  const before = receiver.requests.length;

  await page.goto(`/webhooks/${id}`);
  await page.getByRole("button", { name: "Recover failed deliveries…" }).click();
  const dialog = page.getByRole("dialog", { name: "Recover failed deliveries" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("group", { name: "Time window" })).toBeVisible();
  await dialog.getByRole("radio", { name: "Last hour" }).check();
  await expect(dialog.getByTestId("recover-count")).toContainText("3 failed deliveries will be replayed");

  // custom range: labelled inputs; an end before the start is refused with the API's message
  await dialog.getByRole("radio", { name: "Custom range" }).check();
  await expect(dialog.getByLabel("From", { exact: true })).toBeVisible();
  await expect(dialog.getByLabel("To", { exact: true })).toBeVisible();
  await dialog.getByLabel("To", { exact: true }).fill("2020-01-01T00:00");
  await expect(dialog.getByRole("status").first()).toContainText(/must|invalid/i);
  await dialog.getByRole("radio", { name: "Last hour" }).check();
  await expect(dialog.getByTestId("recover-count")).toContainText("3 failed");

  // fits a phone's width
  const box = await dialog.boundingBox();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);

  await page.screenshot({ path: info.outputPath("recover-dialog-confirm.png") });
  await dialog.getByRole("button", { name: "Replay 3 deliveries" }).click();
  const progress = dialog.getByRole("progressbar", { name: "Replays sent" });
  await expect(progress).toBeVisible();
  await expect(progress).toHaveAttribute("aria-valuemax", "3");
  await expect(dialog.getByTestId("recovery-status")).toHaveText("Completed", { timeout: 45_000 });
  await expect(dialog.getByTestId("recovery-sent")).toHaveText("3 of 3");
  await expect(dialog.getByTestId("recovery-succeeded")).toHaveText("3");
  await expect(progress).toHaveAttribute("aria-valuenow", "3");
  await page.screenshot({ path: info.outputPath("recover-dialog-done.png") });

  const resent = receiver.requests.slice(before).map((q) => String(q.headers["webhook-id"]));
  expect(resent.sort()).toEqual(failed.map((d) => d.messageId).sort());

  // closing returns focus to the button; the log now shows the three replays
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("button", { name: "Recover failed deliveries…" })).toBeFocused();
  // reopened once it is over: a new window can be chosen (a running one would show its progress instead)
  await page.getByRole("button", { name: "Recover failed deliveries…" }).click();
  await expect(dialog.getByRole("radio", { name: "Last hour" })).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await context.close();
});
