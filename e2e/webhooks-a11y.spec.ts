import type { Page } from "@playwright/test";
import { expect, signUp, test } from "./fixtures";

/** Keyboard-only use, focus kept inside dialogs, labelled controls, and phone width. */

const focusInside = (page: Page, dialogName: string) =>
  page.evaluate((name) => {
    const dialog = [...document.querySelectorAll('[role="dialog"]')].find(
      (d) =>
        d.getAttribute("aria-labelledby") &&
        document.getElementById(d.getAttribute("aria-labelledby") ?? "")?.textContent === name,
    );
    return Boolean(dialog && document.activeElement && dialog.contains(document.activeElement));
  }, dialogName);

/** Every form control on the page has an accessible name (a label, aria-label or aria-labelledby). */
const unlabelledControls = (page: Page) =>
  page.evaluate(() =>
    [
      ...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
        "input, select, textarea",
      ),
    ]
      .filter((el) => el.type !== "hidden")
      .filter(
        (el) =>
          !(el.labels && el.labels.length > 0) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"),
      )
      .map((el) => el.outerHTML.slice(0, 120)),
  );

const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

test("create a webhook with the keyboard alone; dialogs keep focus; every control is labelled", async ({
  page,
  receiver,
}) => {
  test.setTimeout(120_000);
  await signUp(page);

  // open the dialog from the keyboard
  await page.getByRole("button", { name: "Add endpoint", exact: true }).focus();
  await page.keyboard.press("Enter");
  const create = page.getByRole("dialog", { name: "Add a webhook endpoint" });
  await expect(create).toBeVisible();
  await expect(create.getByLabel("call.ended", { exact: true })).toBeVisible();
  expect(await focusInside(page, "Add a webhook endpoint")).toBe(true);
  expect(await unlabelledControls(page)).toEqual([]);

  // focus is trapped: tabbing around never leaves the dialog
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press("Tab");
    expect(await focusInside(page, "Add a webhook endpoint")).toBe(true);
  }

  // fill it in: URL, then Space on a checkbox, then Enter to submit
  await create.getByLabel("Endpoint URL").focus();
  await page.keyboard.type(receiver.url);
  await create.getByLabel("call.ended", { exact: true }).focus();
  await page.keyboard.press("Space");
  await expect(create.getByLabel("call.ended", { exact: true })).toBeChecked();
  await create.getByLabel("Endpoint URL").focus();
  await page.keyboard.press("Enter");

  const reveal = page.getByRole("dialog", { name: "Your webhook signing secret" });
  await expect(reveal).toBeVisible();
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    expect(await focusInside(page, "Your webhook signing secret")).toBe(true);
  }
  await reveal.getByRole("button", { name: "I have saved it" }).focus();
  await page.keyboard.press("Enter");
  await expect(reveal).toBeHidden();
  // focus comes back to where the journey started, not to <body>
  await expect(page.getByRole("button", { name: "Add endpoint", exact: true })).toBeFocused();

  // to the detail page and its log filters, by keyboard
  await page.getByRole("link", { name: receiver.url }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/webhooks\/whk_/);
  await page.getByRole("button", { name: "Send test event" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("delivery-row")).toHaveCount(1);
  await expect(page.getByTestId("delivery-status")).toHaveText("Succeeded", { timeout: 45_000 });
  await page.getByRole("radio", { name: "All" }).focus();
  await page.keyboard.press("ArrowRight"); // radio group: arrows move the choice
  await expect(page).toHaveURL(/status=succeeded/);
  await expect(page.getByRole("radio", { name: "Succeeded" })).toBeChecked();
  const toggle = page.getByTestId("delivery-row").first().locator("button[aria-expanded]");
  await expect(toggle).toBeVisible();
  await toggle.focus();
  await page.keyboard.press("Enter");
  await expect(toggle).toHaveAttribute("aria-expanded", "true");
  expect(await unlabelledControls(page)).toEqual([]);

  // a dialog opened from the keyboard closes with Escape and gives focus back
  await page.getByRole("button", { name: "Delete", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "Delete this webhook?" })).toBeVisible();
  expect(await focusInside(page, "Delete this webhook?")).toBe(true);
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Delete this webhook?" })).toBeHidden();
  await expect(page.getByRole("button", { name: "Delete", exact: true })).toBeFocused();
});

test("the list and the detail page fit a phone's width", async ({ page, receiver }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 360, height: 740 });
  await signUp(page);
  const created = await page.request.post("/api/v1/webhooks", {
    data: {
      url: receiver.urlFor("localhost", `/a/very/long/path/${"segment/".repeat(12)}hook`),
      events: ["call.ended", "call.missed", "voicemail.received"],
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = ((await created.json()) as { data: { id: string } }).data;
  await page.request.post(`/api/v1/webhooks/${id}/test`, { data: { event: "call.ended" } });

  await page.goto("/webhooks");
  await expect(page.getByTestId("webhook-row")).toHaveCount(1);
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

  await page.goto(`/webhooks/${id}`);
  const row = page.getByTestId("delivery-row").first();
  await expect(row).toBeVisible();
  await row.locator("button[aria-expanded]").click();
  await expect(row.getByTestId("delivery-payload")).toBeVisible();
  expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

  await page.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit endpoint" });
  await expect(edit).toBeVisible();
  const box = await edit.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 360).toBe(true);
});
