import { expect, test, type Page } from "@playwright/test";
import { PASSWORD, signUp, uniqueEmail } from "./fixtures";

/**
 * Issue 10 in a real browser against the production build (CSP on):
 * open-redirect variants after sign-in, sign-in throttling (429, the form
 * says when to retry, then recovery), a session cookie replayed after
 * sign-out, security headers on pages and API answers, envelopes on unknown
 * routes, unsupported methods and oversized headers. The throttle window is
 * short here (AUTH_THROTTLE_WINDOW_SECONDS in playwright.config.ts).
 */

async function signIn(page: Page, email: string, password: string, path = "/sign-in") {
  await page.goto(path);
  await page.waitForLoadState("networkidle"); // hydrated: the form submits through its handler
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.describe("open redirect after sign-in", () => {
  let email: string;
  test.beforeAll(async ({ browser }) => {
    const page = await browser.newPage();
    email = await signUp(page);
    await page.close();
  });

  // Query strings as an attacker writes them (the first is the one from the issue).
  for (const query of [
    "%2F%5C127.0.0.2%3A8443%2Fx",
    "/%09/127.0.0.2:8443/x",
    "//127.0.0.2:8443/x",
    "https://127.0.0.2:8443/x",
    "/%5C/127.0.0.2:8443/x",
    "https:127.0.0.2:8443/x",
    "javascript:alert(document.domain)",
  ]) {
    test(`callbackUrl=${query} lands on the dashboard`, async ({ page }) => {
      const offsite: string[] = [];
      page.on("request", (r) => {
        if (new URL(r.url()).hostname === "127.0.0.2") offsite.push(r.url());
      });
      page.on("dialog", (d) => {
        offsite.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await signIn(page, email, PASSWORD, `/sign-in?callbackUrl=${query}`);
      await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/webhooks$/);
      await expect(page.getByTestId("current-user")).toHaveText(email);
      expect(offsite).toEqual([]);
    });
  }

  test("a same-origin callbackUrl is honoured", async ({ page }) => {
    await signIn(page, email, PASSWORD, `/sign-in?callbackUrl=${encodeURIComponent("/api-keys")}`);
    await expect(page).toHaveURL(/\/api-keys$/);
  });
});

test("sign-in throttling: 429 with Retry-After, the form says when, then the right password works", async ({
  page,
  browser,
}) => {
  const setup = await browser.newPage();
  const email = await signUp(setup);
  await setup.close();

  await page.goto("/sign-in");
  await page.waitForLoadState("networkidle");
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  page.on("response", (r) => {
    if (r.url().includes("/api/auth/callback/credentials")) {
      statuses.push(r.status());
      if (r.status() === 429) retryAfter = r.headers()["retry-after"] ?? null;
    }
  });
  // AUTH_SIGN_IN_MAX_FAILURES=3 in playwright.config.ts
  for (let i = 0; i < 3; i++) {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(`wrong-password-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form").getByRole("alert")).toHaveText("Email or password is incorrect.");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  }
  // even the right password is refused while throttled, and the form says when to try again
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText(
    /Too many failed sign-in attempts\. Try again in \d+ seconds?\./,
  );
  expect(statuses).toEqual([401, 401, 401, 429]);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(8);
  await expect(page).toHaveURL(/\/sign-in/);

  // the window ends: the right password works, no lock-out forever
  await page.waitForTimeout(Number(retryAfter) * 1000 + 500);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/webhooks$/);
  await expect(page.getByTestId("current-user")).toHaveText(email);
});

test("an oversize password is refused before hashing, on the form and on the endpoint", async ({ page, request }) => {
  await page.goto("/sign-in");
  await page.waitForLoadState("networkidle");
  await page.getByLabel("Email").fill(uniqueEmail("long"));
  await page.getByLabel("Password").fill("p".repeat(201));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("must be at most 200 characters")).toBeVisible();

  const csrf = ((await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
  const huge = await request.post("/api/auth/callback/credentials", {
    form: { email: "x@example.com", password: "p".repeat(1_000_000), csrfToken: csrf, json: "true" },
  });
  expect(huge.status()).toBe(413);
  expect(await huge.json()).toMatchObject({ success: false, error: { code: "payload_too_large" } });
  const long = await request.post("/api/auth/callback/credentials", {
    form: { email: "x@example.com", password: "p".repeat(500), csrfToken: csrf, json: "true" },
  });
  expect(long.status()).toBe(400);
  expect(await long.json()).toMatchObject({ success: false, error: { code: "validation_error" } });
});

test("a session cookie replayed after sign-out is refused (401 on the API, sign-in page on the dashboard)", async ({
  page,
  browser,
}) => {
  await signUp(page);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name.endsWith("next-auth.session-token"));
  expect(session).toBeDefined();
  expect((await page.request.get("/api/v1/webhooks")).status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);

  // an attacker who copied the cookie before sign-out replays it in a fresh browser
  const replay = await browser.newContext();
  await replay.addCookies([session!]);
  const api = await replay.request.get("/api/v1/webhooks");
  expect(api.status()).toBe(401);
  expect(await api.json()).toMatchObject({ success: false, error: { code: "unauthorized" } });
  expect(api.headers()["ratelimit-limit"]).toBeTruthy();
  const other = await replay.newPage();
  await other.goto("/webhooks");
  await expect(other).toHaveURL(/\/sign-in/);
  await replay.close();
});

test("security headers on pages and API answers; pages work under the CSP", async ({ page, request }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
  });
  const res = await page.goto("/sign-in");
  const h = res!.headers();
  const csp = h["content-security-policy"] ?? "";
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("unsafe-eval");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // every script tag the server rendered carries this request's nonce
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  const tags = (await res!.text()).match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  for (const tag of tags) expect(tag).toContain(`nonce="${nonce}"`);
  // the page hydrated under the CSP: the client-side form works
  await signUp(page);
  await page.getByRole("link", { name: "Docs" }).click();
  await expect(page).toHaveURL(/\/docs/);
  expect(violations).toEqual([]);

  for (const path of ["/api/v1/webhooks", "/api/v1/unknown", "/api/health"]) {
    const api = await request.get(path);
    expect(api.headers()["x-content-type-options"], path).toBe("nosniff");
    expect(api.headers()["content-security-policy"], path).toContain("frame-ancestors 'none'");
    // the machine-facing API's fixed headers (next.config.mjs; the proxy does not run there)
    expect(api.headers()["content-security-policy"], path).toContain("default-src 'none'");
    expect(api.headers()["x-frame-options"], path).toBe("DENY");
    expect(api.headers()["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(api.headers()["cross-origin-opener-policy"], path).toBe("same-origin");
  }
  const published = await request.post("/api/v1/events", { data: { type: "call.ended", data: {} } });
  expect(published.status()).toBe(401);
  expect(published.headers()["x-content-type-options"]).toBe("nosniff");
  expect(published.headers()["content-security-policy"]).toContain("default-src 'none'");
});

test("a cross-origin page cannot frame the sign-in page", async ({ page, baseURL }) => {
  // another origin (127.0.0.1 instead of localhost) embedding the app
  const other = baseURL!.replace("localhost", "127.0.0.1");
  await page.route(`${other}/framer`, (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<h1>framer</h1><iframe id="f" src="${baseURL}/sign-in"></iframe>`,
    }),
  );
  const framedRequests: string[] = [];
  page.on("request", (r) => {
    if (r.url().startsWith(`${baseURL}/sign-in`)) framedRequests.push(r.url());
  });
  await page.goto(`${other}/framer`);
  await expect.poll(() => framedRequests.length).toBeGreaterThan(0); // the browser did ask for the page…
  await page.waitForTimeout(2000); // …and had time to render it, had the policy allowed it
  for (const frame of page.frames())
    expect(await frame.getByRole("heading", { name: "Sign in" }).count(), frame.url()).toBe(0);
  expect(await page.getByRole("heading", { name: "framer" }).count()).toBe(1);
});

test("the /api/v1 error envelope: unknown route, unsupported method, oversized header; unsigned /api/inngest", async ({
  request,
}) => {
  const unknown = await request.get("/api/v1/unknown");
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toMatchObject({ success: false, error: { code: "not_found" } });

  const put = await request.put("/api/v1/webhooks", { data: {} });
  expect(put.status()).toBe(405);
  expect(put.headers()["allow"]).toContain("GET");
  expect(put.headers()["allow"]).toContain("POST");
  expect(await put.json()).toMatchObject({ success: false, error: { code: "method_not_allowed" } });

  const unauthorized = await request.get("/api/v1/webhooks");
  expect(unauthorized.status()).toBe(401);
  expect(unauthorized.headers()["ratelimit-limit"]).toBeTruthy();
  expect(unauthorized.headers()["ratelimit-remaining"]).toBeTruthy();

  const longKey = await request.post("/api/v1/events", {
    headers: { authorization: "Bearer akol_sk_x", "idempotency-key": "k".repeat(16 * 1024) },
    data: {},
  });
  expect(longKey.status()).toBeLessThan(500);
  expect(longKey.headers()["content-type"]).toMatch(/^application\/json/);
  expect(await longKey.json()).toMatchObject({ success: false });

  for (const method of ["GET", "POST", "PUT"]) {
    const res = await request.fetch("/api/inngest", { method, data: method === "GET" ? undefined : {} });
    expect(res.status(), method).toBe(401);
    const text = await res.text();
    expect(text).not.toMatch(/embedded|executor/i);
  }
});
