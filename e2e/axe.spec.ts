import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "@playwright/test";
import { createApiKeyThroughUi, expect, publishEvent, signUp, startE2eReceiver, test, type Receiver } from "./fixtures";

/**
 * axe-core on every page and dialog of the dashboard, at a desktop and a phone
 * size, in the light and the dark theme: any violation of any impact (WCAG 2.0
 * and 2.1 A and AA, and axe's best practices) fails the test. One signed-up
 * user and one seeded webhook (a succeeded and a failed delivery) serve every
 * combination; each combination gets one signed-out and one signed-in context.
 * A second endpoint was disabled automatically (410 Gone), so the
 * disabled-endpoint banner is on every signed-in page scanned.
 */

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
const BASE = `http://localhost:${process.env.E2E_PORT ?? 3987}`;

const VIEWPORTS = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;
// light: the system preference alone (no cookie); dark: the toggle's cookie, with a dark system preference too
const THEMES = ["light", "dark"] as const;

let receiver: Receiver;
let gone: Receiver;
let signedIn: Awaited<ReturnType<BrowserContext["storageState"]>>;
let webhookId = "";

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  // the receiver fails call.missed (a failed delivery after the retries) and accepts the rest
  receiver = await startE2eReceiver(async (req, res) => {
    const failing = req.body.includes('"type":"call.missed"');
    res.writeHead(failing ? 500 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify(failing ? { error: "upstream unavailable" } : { ok: true }));
  });
  const context = await browser.newContext({ baseURL: BASE });
  const page = await context.newPage();
  await signUp(page);
  const created = await page.request.post("/api/v1/webhooks", {
    data: { url: receiver.urlFor("localhost", "/hooks/akol"), events: ["call.ended", "call.missed"] },
  });
  expect(created.status(), await created.text()).toBe(201);
  webhookId = ((await created.json()) as { data: { id: string } }).data.id;
  for (const event of ["call.ended", "call.missed"]) {
    const sent = await page.request.post(`/api/v1/webhooks/${webhookId}/test`, { data: { event } });
    expect(sent.status(), await sent.text()).toBe(202);
  }
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/webhooks/${webhookId}/deliveries`);
        const rows = ((await res.json()) as { data: { status: string }[] }).data;
        return rows.map((d) => d.status).sort();
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toEqual(["failed", "succeeded"]);
  // a second endpoint, on an event type the first one does not take, answers 410 Gone: disabled automatically
  gone = await startE2eReceiver(
    async (req, res) => void res.writeHead(req.body.includes("webhook.probe") ? 200 : 410).end(),
  );
  const goneHook = await page.request.post("/api/v1/webhooks", {
    data: { url: gone.urlFor("localhost", "/hooks/gone"), events: ["appointment.scheduled"] },
  });
  expect(goneHook.status(), await goneHook.text()).toBe(201);
  const key = await createApiKeyThroughUi(page, "axe publisher");
  await publishEvent(page.request, key, "appointment.scheduled");
  await expect
    .poll(async () => ((await (await page.request.get("/api/v1/notices")).json()) as { data: unknown[] }).data.length, {
      timeout: 60_000,
      intervals: [1_000],
    })
    .toBe(1);
  signedIn = await context.storageState();
  await context.close();
});

test.afterAll(async () => {
  await receiver?.close();
  await gone?.close();
});

async function newContext(
  browser: Browser,
  viewport: (typeof VIEWPORTS)[number],
  theme: (typeof THEMES)[number],
  withSession: boolean,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: BASE,
    viewport: { width: viewport.width, height: viewport.height },
    colorScheme: theme,
    storageState: withSession ? signedIn : undefined,
    permissions: ["clipboard-read", "clipboard-write"],
  });
  if (theme === "dark") await context.addCookies([{ name: "theme", value: "dark", url: BASE }]);
  return context;
}

/** Runs axe on the page as it is now; returns one line per violation (empty when clean). */
async function scan(page: Page, label: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  return violations.map(
    (v) =>
      `${label}: ${v.id} (${v.impact ?? "?"}) ×${v.nodes.length}: ${v.nodes
        .slice(0, 4)
        .map(
          (n) =>
            `${n.target.join(" ")}${n.failureSummary ? ` [${n.failureSummary.replace(/\s+/g, " ").slice(0, 160)}]` : ""}`,
        )
        .join(" | ")}`,
  );
}

async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
}

for (const viewport of VIEWPORTS) {
  for (const theme of THEMES) {
    test(`axe: every page and dialog, ${viewport.name} ${viewport.width}×${viewport.height}, ${theme} theme`, async ({
      browser,
    }) => {
      test.setTimeout(240_000);
      const found: string[] = [];
      const check = async (page: Page, label: string) => found.push(...(await scan(page, label)));

      // signed out: the auth pages and the 404
      const anon = await newContext(browser, viewport, theme, false);
      const out = await anon.newPage();
      for (const [path, heading] of [
        ["/sign-in", "Sign in"],
        ["/sign-up", "Create your account"],
        ["/no-such-page", "Page not found"],
      ] as const) {
        await out.goto(path);
        await expect(out.getByRole("heading", { level: 1 })).toContainText(heading);
        await settle(out);
        await check(out, `${path} (signed out)`);
      }
      await anon.close();

      const context = await newContext(browser, viewport, theme, true);
      const page = await context.newPage();

      // the list, and the create dialog
      await page.goto("/webhooks");
      await expect(page.getByTestId("webhook-row").first()).toBeVisible();
      // the theme really is the one under test
      await expect(page.locator("html")).toHaveCSS("color-scheme", theme);
      await settle(page);
      await expect(page.getByRole("region", { name: /^Endpoint disabled: / })).toBeVisible();
      await check(page, "/webhooks (with the disabled-endpoint banner)");
      await page.getByRole("button", { name: "Add endpoint", exact: true }).click();
      const create = page.getByRole("dialog", { name: "Add a webhook endpoint" });
      await expect(create.getByLabel("call.ended", { exact: true })).toBeVisible();
      await check(page, "create dialog");
      await page.keyboard.press("Escape");
      await expect(create).toBeHidden();

      // the detail page with the chart in view and both delivery rows expanded
      await page.goto(`/webhooks/${webhookId}`);
      await expect(page.getByTestId("delivery-row")).toHaveCount(2);
      await page.getByRole("heading", { name: "Last 24 hours" }).scrollIntoViewIfNeeded();
      await expect(page.getByTestId("health-chart")).toBeVisible();
      for (const toggle of await page.getByTestId("delivery-row").locator("button[aria-expanded]").all()) {
        await toggle.click();
        await expect(toggle).toHaveAttribute("aria-expanded", "true");
      }
      await expect(page.getByTestId("delivery-payload")).toHaveCount(2);
      await settle(page);
      await check(page, "/webhooks/:id (rows expanded)");

      // its dialogs: recover, edit, disable, delete (cancelled), rotate and the secret reveal that follows
      for (const [button, dialog] of [
        ["Recover failed deliveries…", "Recover failed deliveries"],
        ["Edit", "Edit endpoint"],
        ["Disable", "Disable this endpoint?"],
        ["Delete", "Delete this webhook?"],
        ["Rotate secret", "Rotate the signing secret?"],
      ] as const) {
        await page.getByRole("button", { name: button, exact: true }).click();
        const d = page.getByRole("dialog", { name: dialog });
        await expect(d).toBeVisible();
        await check(page, `${dialog} dialog`);
        if (button !== "Rotate secret") {
          await page.keyboard.press("Escape");
          await expect(d).toBeHidden();
        }
      }
      await page.getByRole("button", { name: "Rotate now" }).click();
      const reveal = page.getByRole("dialog", { name: "Your new signing secret" });
      await expect(reveal).toBeVisible();
      await check(page, "secret reveal dialog");
      await reveal.getByRole("button", { name: "I have saved it" }).click();
      await expect(reveal).toBeHidden();

      // API keys: the page, the create dialog and the one-time reveal
      await page.goto("/api-keys");
      await settle(page);
      await check(page, "/api-keys");
      await page.getByRole("button", { name: "Create API key" }).click();
      const createKey = page.getByRole("dialog", { name: "Create API key" });
      await createKey.getByLabel("Name").fill(`axe ${viewport.name} ${theme}`);
      await check(page, "create API key dialog");
      await createKey.getByRole("button", { name: "Create key" }).click();
      const keyReveal = page.getByRole("dialog", { name: "Your new API key" });
      await expect(keyReveal).toBeVisible();
      await check(page, "API key reveal dialog");
      await keyReveal.getByRole("button", { name: "I have saved it" }).click();
      await expect(keyReveal).toBeHidden();
      await settle(page);
      await check(page, "/api-keys (with a key)");

      // the docs and the signed-in 404
      for (const path of ["/docs", "/docs/webhooks", "/docs/events", "/no-such-page"]) {
        await page.goto(path);
        await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
        await settle(page);
        await check(page, path);
      }
      await context.close();

      expect(found, found.join("\n")).toEqual([]);
    });
  }
}
