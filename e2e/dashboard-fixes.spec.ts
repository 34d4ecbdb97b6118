import type { Browser, Page, TestInfo } from "@playwright/test";
import { expect, nextRequest, PASSWORD, signUp, test, uniqueEmail, type Receiver } from "./fixtures";

/**
 * The dashboard at a phone's width and in dark mode, replay of a succeeded
 * delivery, the 404 page, delete with its confirmation and the deleted
 * endpoint's log, the create dialog at 1440×900, friendly network and
 * sign-up errors. Screenshots of every page land in the test's output folder.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
const SETTLE = { timeout: 45_000 };

const horizontalOverflow = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

/** The outermost elements sticking out of the viewport on the right (to name the culprit in a failure). */
const overflowingElements = (page: Page) =>
  page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 80)}`)
      .slice(0, 5);
  });

/**
 * Visible text whose contrast with its background is below WCAG AA (4.5:1,
 * or 3:1 for large text). Colours are resolved through a canvas, so any CSS
 * colour syntax (oklch included) works; backgrounds are composited up the tree.
 */
const lowContrastTexts = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    const rgba = (css: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = "rgba(0,0,0,0)";
      ctx.fillStyle = css;
      ctx.fillRect(0, 0, 1, 1);
      const d = ctx.getImageData(0, 0, 1, 1).data;
      return [d[0]!, d[1]!, d[2]!, d[3]! / 255];
    };
    const over = (top: number[], bottom: number[]) =>
      [0, 1, 2].map((i) => top[i]! * top[3]! + bottom[i]! * (1 - top[3]!)).concat(1);
    const background = (el: Element): number[] => {
      const layers: number[][] = [];
      for (let e: Element | null = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      let result = [255, 255, 255, 1];
      if (!layers.length || layers[layers.length - 1]![3]! < 1)
        result = rgba(getComputedStyle(document.body).backgroundColor);
      for (const layer of layers.reverse()) result = over(layer, result);
      return result;
    };
    const lum = (c: number[]) => {
      const [r, g, b] = c.slice(0, 3).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const failures: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest("svg, option, [aria-hidden='true'], [hidden], :disabled")) continue;
      const hasText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
      if (!hasText) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width <= 1 || rect.height <= 1) continue; // screen-reader-only text
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
      const bg = background(el);
      const fg = over(rgba(style.color), bg);
      const [l1, l2] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (l1! + 0.05) / (l2! + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5))
        failures.push(
          `${ratio.toFixed(2)} ${el.tagName.toLowerCase()}.${el.className} "${el.textContent!.trim().slice(0, 40)}"`,
        );
    }
    return failures;
  });

async function shoot(page: Page, info: TestInfo, name: string) {
  await page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });
}

/** A webhook on the receiver with one succeeded test delivery, created over the API as the signed-in user. */
async function webhookWithDelivery(page: Page, receiver: Receiver): Promise<string> {
  const created = await page.request.post("/api/v1/webhooks", {
    data: { url: receiver.urlFor("localhost", "/hooks/akol?source=e2e&v=2"), events: ["call.ended", "call.missed"] },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { id } = ((await created.json()) as { data: { id: string } }).data;
  expect((await page.request.post(`/api/v1/webhooks/${id}/test`, { data: { event: "call.ended" } })).status()).toBe(
    202,
  );
  return id;
}

async function everyPage(browser: Browser, receiver: Receiver, info: TestInfo, colorScheme: "light" | "dark") {
  const context = await browser.newContext({ viewport: PHONE, colorScheme });
  const page = await context.newPage();
  const email = await signUp(page);
  const id = await webhookWithDelivery(page, receiver);
  await page.request.post("/api/v1/api-keys", { data: { name: "a key with a rather long name for a phone" } });

  const pages: { path: string; ready: (p: Page) => Promise<void> }[] = [
    { path: "/webhooks", ready: (p) => expect(p.getByTestId("webhook-row")).toHaveCount(1) },
    {
      path: `/webhooks/${id}`,
      ready: async (p) => {
        await expect(p.getByTestId("delivery-status").first()).toHaveText("Succeeded", SETTLE);
        await p.getByTestId("delivery-row").first().locator("button[aria-expanded]").click();
        await expect(p.getByTestId("delivery-payload")).toBeVisible();
      },
    },
    { path: "/api-keys", ready: (p) => expect(p.getByTestId("api-key-row")).toHaveCount(1) },
    { path: "/docs/webhooks", ready: (p) => expect(p.getByRole("heading", { name: "Try it locally" })).toBeVisible() },
    { path: "/docs/events", ready: (p) => expect(p.getByRole("heading", { level: 1 })).toBeVisible() },
    { path: "/no/such/page", ready: (p) => expect(p.getByTestId("not-found")).toBeVisible() },
  ];
  for (const { path, ready } of pages) {
    await page.goto(path);
    await ready(page);
    await expect(page.locator("html")).toHaveCSS("color-scheme", colorScheme);
    const name = `${colorScheme}-390-${path.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "root"}`;
    await shoot(page, info, name);
    expect(
      await horizontalOverflow(page),
      `${path} overflows at 390 px (${colorScheme}): ${(await overflowingElements(page)).join(", ")}`,
    ).toBeLessThanOrEqual(0);
    expect(await lowContrastTexts(page), `${path} contrast (${colorScheme})`).toEqual([]);
  }

  // a dialog and a toast, too
  await page.goto("/webhooks");
  await page.getByRole("button", { name: "Add endpoint", exact: true }).click();
  const create = page.getByRole("dialog", { name: "Add a webhook endpoint" });
  await expect(create.getByLabel("call.ended", { exact: true })).toBeVisible();
  await create.getByRole("button", { name: "Create webhook" }).click(); // empty: field errors show
  await expect(create.getByLabel("Endpoint URL")).toHaveAttribute("aria-invalid", "true");
  await shoot(page, info, `${colorScheme}-390-create-dialog-errors`);
  expect(await lowContrastTexts(page), `create dialog contrast (${colorScheme})`).toEqual([]);
  await create.getByRole("button", { name: "Cancel" }).click();

  // the signed-out pages
  await context.clearCookies();
  for (const path of ["/sign-in", "/sign-up"]) {
    await page.goto(path);
    await expect(page.getByRole("button", { name: /Sign in|Create account/ })).toBeVisible();
    await shoot(page, info, `${colorScheme}-390${path.replace("/", "-")}`);
    expect(
      await horizontalOverflow(page),
      `${path} overflows at 390 px: ${(await overflowingElements(page)).join(", ")}`,
    ).toBeLessThanOrEqual(0);
    expect(await lowContrastTexts(page), `${path} contrast (${colorScheme})`).toEqual([]);
  }
  expect(email).toContain("@");
  await context.close();
}

test("every page fits 390 px without horizontal overflow and keeps AA contrast, in light mode", async ({
  browser,
  receiver,
}, info) => {
  test.setTimeout(180_000);
  await everyPage(browser, receiver, info, "light");
});

test("every page fits 390 px and keeps AA contrast in dark mode (prefers-color-scheme)", async ({
  browser,
  receiver,
}, info) => {
  test.setTimeout(180_000);
  await everyPage(browser, receiver, info, "dark");
});

test("the theme toggle overrides the system and is remembered across reloads", async ({ browser }, info) => {
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: "light" });
  const page = await context.newPage();
  await signUp(page);
  const bodyBg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const lightBg = await bodyBg();
  await page.getByTestId("theme-toggle").selectOption("dark");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await expect(page.locator("html")).toHaveCSS("color-scheme", "dark");
  expect(await bodyBg()).not.toBe(lightBg);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/); // rendered by the server from the cookie: no flash
  await expect(page.getByTestId("theme-toggle")).toHaveValue("dark");
  await shoot(page, info, "dark-toggle-1440-webhooks");
  await page.getByTestId("theme-toggle").selectOption("system");
  await expect(page.locator("html")).not.toHaveClass(/\bdark\b/);
  await page.reload();
  await expect(page.locator("html")).toHaveCSS("color-scheme", "light");
  await context.close();
});

test("the create dialog's submit button is on screen at 1440×900", async ({ page }, info) => {
  await page.setViewportSize(DESKTOP);
  await signUp(page);
  await page.getByRole("button", { name: "Add endpoint", exact: true }).click();
  const create = page.getByRole("dialog", { name: "Add a webhook endpoint" });
  await expect(create.getByLabel("call.ended", { exact: true })).toBeVisible();
  await expect(create.getByRole("button", { name: "Create webhook" })).toBeInViewport({ ratio: 1 });
  await shoot(page, info, "light-1440-create-dialog");
  // and on a phone, where the body scrolls under the sticky footer
  await page.setViewportSize(PHONE);
  await expect(create.getByRole("button", { name: "Create webhook" })).toBeInViewport({ ratio: 1 });
  // the action row is flush with the dialog's bottom edge: no scrolled content shows below it
  const [dialogBox, footerBox] = await Promise.all([
    create.boundingBox(),
    create.getByTestId("dialog-footer").boundingBox(),
  ]);
  expect(dialogBox && footerBox).toBeTruthy();
  expect(Math.abs(dialogBox!.y + dialogBox!.height - (footerBox!.y + footerBox!.height))).toBeLessThanOrEqual(1);
  await shoot(page, info, "light-390-create-dialog");
});

test("replay a succeeded delivery in one click", async ({ page, receiver }) => {
  test.setTimeout(120_000);
  await signUp(page);
  const id = await webhookWithDelivery(page, receiver);
  await page.goto(`/webhooks/${id}`);
  const original = page.locator('[data-testid="delivery-row"][data-kind="test"][data-status="succeeded"]');
  await expect(original).toHaveCount(1, SETTLE);
  await expect.poll(() => receiver.requests.filter((r) => r.headers["webhook-id"]).length).toBeGreaterThan(0);
  const first = receiver.requests.filter((r) => String(r.headers["webhook-id"] ?? "").startsWith("msg_")).at(-1)!;
  const seen = receiver.requests.length;

  await original.getByRole("button", { name: /^Replay/ }).click();
  const result = original.getByTestId("replay-result");
  await expect(result.getByTestId("delivery-status")).toHaveText("Succeeded", SETTLE);
  const replayed = await nextRequest(receiver, seen);
  expect(String(replayed.headers["webhook-id"])).toBe(String(first.headers["webhook-id"]));
  await expect(page.locator('[data-testid="delivery-row"][data-kind="replay"][data-status="succeeded"]')).toHaveCount(
    1,
  );
  // the replay row, itself settled, can be replayed too
  await expect(
    page.locator('[data-testid="delivery-row"][data-kind="replay"]').getByRole("button", { name: /^Replay/ }),
  ).toBeVisible();
  // the health card tells deliveries from attempts
  await expect(page.getByTestId("delivery-success")).toContainText("100%");
  await expect(page.getByTestId("attempt-success")).toContainText("Attempt success");
});

test("delete confirms with a toast, and the deleted endpoint's log stays reachable", async ({ page, receiver }) => {
  test.setTimeout(120_000);
  await signUp(page);
  const id = await webhookWithDelivery(page, receiver);
  await page.goto(`/webhooks/${id}`);
  await expect(page.getByTestId("delivery-status").first()).toHaveText("Succeeded", SETTLE);

  await page.getByRole("button", { name: "Delete", exact: true }).click();
  const del = page.getByRole("dialog", { name: "Delete this webhook?" });
  await del.getByRole("button", { name: "Delete webhook" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  const toast = page.getByTestId("toast");
  await expect(toast).toContainText("Webhook deleted");
  await expect(page.getByText("No webhooks yet")).toBeVisible();

  // from the toast to the retained, read-only log
  await toast.getByRole("link", { name: "View its delivery log" }).click();
  await expect(page).toHaveURL(new RegExp(`/webhooks/${id}$`));
  await expect(page.getByTestId("deleted-notice")).toContainText("was deleted");
  await expect(page.getByTestId("delivery-row")).toHaveCount(1);
  await expect(page.getByRole("button", { name: /^Replay/ })).toHaveCount(0);

  // and later, from the list's "Deleted endpoints"
  await page.goto("/webhooks");
  const deleted = page.getByTestId("deleted-webhooks");
  await deleted.locator("summary").click();
  await deleted.getByRole("link", { name: /Delivery log of deleted endpoint/ }).click();
  await expect(page.getByTestId("deleted-notice")).toBeVisible();
});

test("unknown pages get a 404 inside the app's layout", async ({ page }, info) => {
  const anonymous = await page.goto("/definitely/not/here");
  expect(anonymous?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  await signUp(page);
  const res = await page.goto("/webhooks-typo");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible(); // the dashboard's own nav
  await page.getByRole("link", { name: "Go to your webhooks" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await shoot(page, info, "light-404-then-webhooks");
});

test("network errors read as such, with a retry; sign-up errors are human", async ({ page }) => {
  await signUp(page);
  await expect(page.getByText("No webhooks yet")).toBeVisible();
  // The list arrives rendered from the server (no request to the API); the browser's next refresh of it,
  // here the one on returning to the tab once the data is stale (5 s), meets the network error.
  await page.route("**/api/v1/webhooks", (route) => route.abort("internetdisconnected"));
  await page.waitForTimeout(5_500);
  await page.evaluate(() => window.dispatchEvent(new Event("visibilitychange")));
  const error = page.getByTestId("load-error");
  await expect(error).toContainText("Could not reach the server", { timeout: 30_000 });
  await expect(page.locator("body")).not.toContainText("Failed to fetch");
  await page.unroute("**/api/v1/webhooks");
  await error.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByText("No webhooks yet")).toBeVisible();

  // sign-up: a field-level message, and a way out for a taken email
  const taken = uniqueEmail("taken");
  const other = await page.context().browser()!.newContext();
  const fresh = await other.newPage();
  await signUp(fresh, taken);
  await other.clearCookies();
  await fresh.goto("/sign-up");
  await fresh.waitForLoadState("networkidle");
  await fresh.getByLabel("Email").fill("not-an-email");
  await fresh.getByLabel("Password").fill("short");
  await fresh.getByRole("button", { name: "Create account" }).click();
  await expect(fresh.getByText("Enter a valid email address, like name@example.com.")).toBeVisible();
  await expect(fresh.getByText("Use at least 8 characters.")).toBeVisible();
  await expect(fresh.locator("body")).not.toContainText("Request body is invalid");

  await fresh.getByLabel("Email").fill(taken);
  await fresh.getByLabel("Password").fill(PASSWORD);
  await fresh.getByRole("button", { name: "Create account" }).click();
  await expect(fresh.getByText("An account with this email already exists.")).toBeVisible();
  await fresh.getByRole("link", { name: "Sign in instead" }).click();
  await expect(fresh).toHaveURL(/\/sign-in\?email=/);
  await expect(fresh.getByLabel("Email")).toHaveValue(taken);
  await other.close();
});
