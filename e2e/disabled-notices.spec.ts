import type { Locator } from "@playwright/test";
import { createApiKeyThroughUi, expect, publishEvent, signUp, startE2eReceiver, test, verifyWith } from "./fixtures";

/**
 * Issue 14, item 2: an endpoint disabled automatically is noticed without
 * visiting its page — a banner on every dashboard page naming it and the
 * reason, re-enabled in one click (probe first) or dismissed for the
 * workspace; and the operational webhook set on the API keys page receives a
 * signed webhook.disabled.
 */

const isProbe = (body: string) => body.includes('"webhook.probe"');

/**
 * WCAG contrast of every text element of the banner against the background it is painted on (the nearest
 * ancestor with an opaque background); colours are resolved by painting them on a canvas (the theme uses oklch).
 */
async function lowContrast(banner: Locator): Promise<string[]> {
  return banner.evaluate((root) => {
    const ctx = document.createElement("canvas").getContext("2d", { willReadFrequently: true })!;
    const rgb = (color: string): [number, number, number, number] => {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = color;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a!];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const background = (el: Element | null): [number, number, number, number] => {
      for (; el; el = el.parentElement) {
        const c = rgb(getComputedStyle(el).backgroundColor);
        if (c[3] === 255) return c;
      }
      return [255, 255, 255, 255];
    };
    const issues: string[] = [];
    for (const el of [root, ...root.querySelectorAll("p, a, button, span")]) {
      if (!el.textContent?.trim()) continue;
      const fg = lum(rgb(getComputedStyle(el).color));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) issues.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}`);
    }
    return issues;
  });
}

test("auto-disable shows a banner on every page; re-enable probes first; dismissal sticks; a new disable shows again", async ({
  page,
  request,
  receiver,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signUp(page);
  const key = await createApiKeyThroughUi(page);
  const auth = { authorization: `Bearer ${key}` };

  // the operational webhook, set from the API keys page: its secret is shown once
  const ops = await startE2eReceiver();
  try {
    const section = page.getByRole("region", { name: "Operational webhook" });
    await section.getByLabel("Endpoint URL").fill(ops.url);
    await section.getByRole("button", { name: "Set operational webhook" }).click();
    const reveal = page.getByRole("dialog", { name: "Operational webhook signing secret" });
    const opsSecret = ((await reveal.getByTestId("revealed-operational-secret").textContent()) ?? "").trim();
    expect(opsSecret).toMatch(/^whsec_/);
    await reveal.getByRole("button", { name: "I have saved it" }).click();
    await expect(section.getByText(ops.url)).toBeVisible();

    // an endpoint that will answer 410 Gone to its first delivery
    const created = await request.post("/api/v1/webhooks", {
      headers: auth,
      data: { url: receiver.url, events: ["call.ended"] },
    });
    expect(created.status(), await created.text()).toBe(201);
    const webhookId = ((await created.json()) as { data: { id: string } }).data.id;
    receiver.setHandler((q, res) => void res.writeHead(isProbe(q.body) ? 200 : 410).end());
    await publishEvent(request, key, "call.ended");

    // the banner shows on any page of the workspace (here the docs), naming the endpoint and the reason
    await page.goto("/docs");
    const banner = page.getByRole("region", { name: `Endpoint disabled: ${receiver.url}` });
    await expect(async () => {
      await page.reload();
      await expect(banner).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(banner).toContainText("Your endpoint answered 410 Gone");
    await expect(banner.getByRole("link", { name: "View endpoint" })).toHaveAttribute("href", `/webhooks/${webhookId}`);
    // contrast ≥ 4.5:1 in light and dark
    expect(await lowContrast(banner)).toEqual([]);
    await page.emulateMedia({ colorScheme: "dark" });
    await expect(page.locator("html")).toHaveCSS("color-scheme", "dark");
    expect(await lowContrast(banner)).toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
    // it fits a 390 px screen
    const box = await banner.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);

    // the operational webhook got a signed webhook.disabled
    await expect.poll(() => ops.requests.filter((q) => !isProbe(q.body)).length, { timeout: 30_000 }).toBe(1);
    const event = verifyWith(
      opsSecret,
      ops.requests.find((q) => !isProbe(q.body))!,
    ) as {
      type: string;
      data: { webhookId: string; url: string; reason: string };
    };
    expect(event.type).toBe("webhook.disabled");
    expect(event.data).toMatchObject({ webhookId, url: receiver.url });

    // one click re-enables it, after a successful probe
    const probes = receiver.requests.filter((q) => isProbe(q.body)).length;
    await page.goto("/webhooks");
    await banner.getByRole("button", { name: "Probe and re-enable" }).click();
    await expect(banner).toBeHidden();
    expect(receiver.requests.filter((q) => isProbe(q.body)).length).toBe(probes + 1);
    const after = await request.get(`/api/v1/webhooks/${webhookId}`, { headers: auth });
    expect(((await after.json()) as { data: { isActive: boolean } }).data.isActive).toBe(true);

    // disabled again: a new notice shows again; dismissing it hides it, also after a reload
    await publishEvent(request, key, "call.ended");
    await expect(async () => {
      await page.reload();
      await expect(banner).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await banner.getByRole("button", { name: `Dismiss the notice about ${receiver.url}` }).click();
    await expect(banner).toBeHidden();
    await page.goto("/api-keys");
    await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
    await expect(page.getByTestId("disabled-notice")).toHaveCount(0);
  } finally {
    await ops.close();
  }
});
