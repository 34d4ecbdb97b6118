import { describe, expect, it } from "vitest";
import * as listRoute from "@/app/api/v1/webhooks/route";
import { waitFor } from "@/test/support/executor";
import { db } from "@/lib/db";
import { findEventType } from "@/lib/events/catalog";
import { publishEvent } from "@/lib/events/publish";
import { call, makeTenant, request } from "@/test/support/api";
import { useCrashableApp } from "@/test/support/crash-app";
import type { WebhookView } from "@/lib/webhooks/schemas";

/**
 * Kill the delivery engine's process with SIGKILL while 200 deliveries are in
 * flight or scheduled, start it again, and check that every one arrives.
 */

const { startApp, receiver: getReceiver } = useCrashableApp({ WEBHOOK_RETRY_SCHEDULE: "1,1,1,1,1,1" });

describe("crash recovery", () => {
  it("delivers all 200 deliveries at least once across a SIGKILL and restart", async () => {
    const receiver = getReceiver();
    const t = await makeTenant("crash");
    const hooks: WebhookView[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call<WebhookView>(
        listRoute.POST,
        request("POST", "/api/v1/webhooks", {
          auth: { key: t.key },
          body: { url: `${receiver.url}?h=${i}`, events: ["call.ended"] },
        }),
      );
      hooks.push(res.body.data);
    }
    // The receiver fails the first attempt of every third message and answers slowly.
    const seen = new Map<string, number>();
    const okIds = new Set<string>();
    receiver.setHandler(async (q, res) => {
      if (q.body.includes("webhook.probe")) {
        res.writeHead(200).end();
        return;
      }
      const id = String(q.headers["webhook-id"]);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 60));
      const fail = n === 1 && Number.parseInt(id.slice(-2), 36) % 3 === 0;
      if (!fail) okIds.add(id);
      res.writeHead(fail ? 500 : 200).end();
    });

    const data = findEventType("call.ended")!.example;
    for (let i = 0; i < 50; i++) await publishEvent(t.workspaceId, { type: "call.ended", data }); // stored; no engine runs yet

    const first = await startApp();
    await waitFor(() => okIds.size >= 40, "some deliveries before the crash", 60_000);
    first.kill("SIGKILL");
    await new Promise((r) => first.once("exit", r));
    const deliveredBeforeCrash = okIds.size;
    expect(deliveredBeforeCrash).toBeLessThan(200);

    await startApp();
    await waitFor(
      async () => (await db.delivery.count({ where: { workspaceId: t.workspaceId, status: "succeeded" } })) === 200,
      "all 200 deliveries",
      120_000,
    );

    const deliveries = await db.delivery.findMany({ where: { workspaceId: t.workspaceId } });
    expect(deliveries).toHaveLength(200);
    expect(new Set(deliveries.map((d) => d.messageId)).size).toBe(200);
    for (const d of deliveries) expect(okIds.has(d.messageId), d.messageId).toBe(true);
    // Everything the receiver got belongs to a known message: duplicates only ever share a webhook-id.
    for (const id of seen.keys()) expect(deliveries.some((d) => d.messageId === id)).toBe(true);
    expect(await db.delivery.count({ where: { workspaceId: t.workspaceId, status: "pending" } })).toBe(0);
  }, 240_000);
});
