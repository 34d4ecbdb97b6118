import { expect, test } from "@playwright/test";

const email = () => `e2e-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;

test("sign up, sign in, create an API key, see it listed, sign out", async ({ page, request }) => {
  const user = email();
  const password = "a-long-e2e-password";

  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Email").fill(user);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/webhooks/);
  await expect(page.getByTestId("current-user")).toHaveText(user);

  // sign out, then sign in again with the same credentials
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email").fill(user);
  await page.getByLabel("Password").fill("wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Email or password is incorrect.")).toBeVisible();
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/webhooks/);

  // create a key: shown once in a dialog
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page.getByText("No API keys yet")).toBeVisible();
  await page.getByRole("button", { name: "Create API key" }).click();
  const dialog = page.getByRole("dialog", { name: "Create API key" });
  await dialog.getByLabel("Name").fill("Production backend");
  await dialog.getByRole("button", { name: "Create key" }).click();
  const reveal = page.getByRole("dialog", { name: "Your new API key" });
  await expect(reveal).toContainText("you will not see this key again");
  const key = (await reveal.getByTestId("revealed-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^akol_sk_[A-Za-z0-9]{32}$/);
  await reveal.getByRole("button", { name: "I have saved it" }).click();
  await expect(reveal).toBeHidden();

  // listed by prefix, never in full
  const row = page.getByTestId("api-key-row").filter({ hasText: "Production backend" });
  await expect(row).toContainText(key.slice(0, 14));
  await expect(page.locator("body")).not.toContainText(key);

  // the key works against the API
  const res = await request.get("/api/v1/api-keys", { headers: { authorization: `Bearer ${key}` } });
  expect(res.status()).toBe(200);
  expect((await res.json()) as unknown).toMatchObject({ success: true, data: [{ name: "Production backend" }] });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/api-keys");
  await expect(page).toHaveURL(/\/sign-in/);
});
