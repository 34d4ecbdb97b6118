import { beforeAll, describe, expect, it } from "vitest";
import * as deletedRoute from "@/app/api/v1/webhooks/deleted/route";
import * as deliveriesRoute from "@/app/api/v1/webhooks/[id]/deliveries/route";
import { db } from "@/lib/db";
import { listDeletedWebhookLogs, type DeletedWebhookLog } from "@/lib/delivery/deleted-logs";
import { newId } from "@/lib/ids";
import { deleteWebhook } from "@/lib/webhooks/delete";
import { call, makeTenant, request, type Tenant } from "@/test/support/api";

/** Real PostgreSQL: webhooks and deliveries inserted directly; deletion through lib/webhooks. */

let a: Tenant;
let b: Tenant;

async function insertWebhook(t: Tenant, url: string): Promise<string> {
  const id = newId("whk");
  await db.webhook.create({
    data: { id, workspaceId: t.workspaceId, url, events: ["call.ended"], secretEncrypted: "unused-in-this-test" },
  });
  return id;
}

async function insertDelivery(workspaceId: string, webhookId: string, url: string, createdAt: string) {
  await db.delivery.create({
    data: {
      id: newId("dlv"),
      workspaceId,
      webhookId,
      messageId: newId("msg"),
      eventType: "call.ended",
      kind: "event",
      payload: "{}",
      url,
      status: "succeeded",
      createdAt: new Date(createdAt),
    },
  });
}

beforeAll(async () => {
  a = await makeTenant("deleted-a");
  b = await makeTenant("deleted-b");
});

describe("listDeletedWebhookLogs", () => {
  it("lists the workspace's deleted webhooks that still have logs, newest first, with their latest URL", async () => {
    const live = await insertWebhook(a, "https://example.com/live");
    const older = await insertWebhook(a, "https://example.com/older");
    const newer = await insertWebhook(a, "https://example.com/newer-v2");
    const silent = await insertWebhook(a, "https://example.com/never-delivered");
    await insertDelivery(a.workspaceId, live, "https://example.com/live", "2026-04-18T10:00:00.000Z");
    await insertDelivery(a.workspaceId, older, "https://example.com/older", "2026-04-17T10:00:00.000Z");
    await insertDelivery(a.workspaceId, newer, "https://example.com/newer-v1", "2026-04-18T09:00:00.000Z");
    await insertDelivery(a.workspaceId, newer, "https://example.com/newer-v2", "2026-04-18T11:00:00.000Z");
    // another workspace's row claiming a's webhook id must not show in a's list (nor a's in b's)
    await insertDelivery(b.workspaceId, older, "https://attacker.example/x", "2026-04-19T00:00:00.000Z");

    for (const id of [older, newer, silent]) await deleteWebhook(a.workspaceId, id);

    const list = await listDeletedWebhookLogs(a.workspaceId);
    expect(list).toEqual([
      { webhookId: newer, url: "https://example.com/newer-v2", lastDeliveryAt: "2026-04-18T11:00:00.000Z" },
      { webhookId: older, url: "https://example.com/older", lastDeliveryAt: "2026-04-17T10:00:00.000Z" },
    ]);
    expect((await listDeletedWebhookLogs(b.workspaceId)).map((x) => x.webhookId)).toEqual([older]);
    expect((await listDeletedWebhookLogs(b.workspaceId))[0]?.url).toBe("https://attacker.example/x");
  });
});

describe("GET /api/v1/webhooks/deleted", () => {
  it("answers the caller's deleted webhooks (key or session), whose logs stay readable; 401 without auth", async () => {
    const t = await makeTenant("deleted-route");
    const w = await insertWebhook(t, "https://example.com/gone");
    await insertDelivery(t.workspaceId, w, "https://example.com/gone", new Date().toISOString());
    await deleteWebhook(t.workspaceId, w);

    for (const auth of [{ key: t.key }, { cookie: t.cookie }]) {
      const res = await call<DeletedWebhookLog[]>(
        deletedRoute.GET,
        request("GET", "/api/v1/webhooks/deleted", { auth }),
      );
      expect(res.status).toBe(200);
      expect(res.body.data.map((x) => x.webhookId)).toEqual([w]);
    }
    const log = await call<unknown[]>(
      deliveriesRoute.GET,
      request("GET", `/api/v1/webhooks/${w}/deliveries`, { auth: { key: t.key } }),
      { id: w },
    );
    expect(log.status).toBe(200);
    expect(log.body.data).toHaveLength(1);
    // another workspace sees neither the entry nor the log
    const other = await call<DeletedWebhookLog[]>(
      deletedRoute.GET,
      request("GET", "/api/v1/webhooks/deleted", { auth: { key: a.key } }),
    );
    expect(other.body.data.map((x) => x.webhookId)).not.toContain(w);
    const foreignLog = await call(
      deliveriesRoute.GET,
      request("GET", `/api/v1/webhooks/${w}/deliveries`, { auth: { key: a.key } }),
      { id: w },
    );
    expect(foreignLog.status).toBe(404);

    const anonymous = await call(deletedRoute.GET, request("GET", "/api/v1/webhooks/deleted"));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ success: false, error: { code: "unauthorized" } });
  });
});
