import { describe, expect, it } from "vitest";
import * as eventsRoute from "@/app/api/v1/events/route";
import * as eventTypesRoute from "@/app/api/v1/event-types/route";
import * as webhooksRoute from "@/app/api/v1/webhooks/route";
import { EVENT_TYPES } from "@/lib/events/catalog";
import { OPERATIONAL_EVENTS } from "@/lib/operational/events";
import { call, makeTenant, request, type RouteHandler } from "@/test/support/api";

/** Operational events are documented apart and are not part of the subscribable catalog. */
describe("operational events", () => {
  it("each example matches its schema", () => {
    for (const def of OPERATIONAL_EVENTS) expect(def.schema.safeParse(def.example).success, def.type).toBe(true);
  });

  it("cannot be published, subscribed to, or found in GET /event-types", async () => {
    const t = await makeTenant("ops-catalog");
    const auth = { key: t.key };
    const listed = await call<{ type: string }[]>(
      eventTypesRoute.GET as RouteHandler,
      request("GET", "/api/v1/event-types", { auth }),
    );
    for (const def of OPERATIONAL_EVENTS) {
      expect(EVENT_TYPES).not.toContain(def.type);
      expect(listed.body.data.map((e) => e.type)).not.toContain(def.type);
      const published = await call(
        eventsRoute.POST as RouteHandler,
        request("POST", "/api/v1/events", { auth, body: { type: def.type, data: def.example } }),
      );
      expect(published.status).toBe(400);
      expect(published.body.error?.code).toBe("validation_error");
      const subscribed = await call(
        webhooksRoute.POST as RouteHandler,
        request("POST", "/api/v1/webhooks", { auth, body: { url: "https://example.com/h", events: [def.type] } }),
      );
      expect(subscribed.status).toBe(400);
      expect(subscribed.body.error?.details?.[0]?.field).toMatch(/^events/);
    }
  });
});
