import { z } from "zod";
import { createApiKeySchema } from "@/lib/auth/api-keys";
import {
  deliveryViewSchema,
  listDeliveriesQuerySchema,
  publishEventSchema,
  testEventSchema,
} from "@/lib/delivery/schemas";
import { deletedWebhookLogSchema } from "@/lib/delivery/deleted-logs";
import { webhookHealthSchema, webhookSparklinesSchema } from "@/lib/delivery/stats";
import { noticeViewSchema } from "@/lib/notices/notices";
import {
  operationalWebhookViewSchema,
  putOperationalWebhookResultSchema,
  putOperationalWebhookSchema,
} from "@/lib/operational/endpoint";
import {
  MAX_RECOVERY_DAYS,
  MAX_RECOVERY_DELIVERIES,
  recoverBodySchema,
  recoverQueryFieldsSchema,
  recoveryCountSchema,
  recoveryViewSchema,
} from "@/lib/recovery/schemas";
import {
  createWebhookSchema,
  updateWebhookSchema,
  webhookViewSchema,
  webhookWithSecretSchema,
} from "@/lib/webhooks/schemas";

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the very zod schemas
 * the routes validate with (z.toJSONSchema), so it cannot drift from them.
 */

type Json = Record<string, unknown>;

const schema = (s: z.ZodType, io: "input" | "output" = "output"): Json =>
  z.toJSONSchema(s, { io, target: "draft-2020-12", unrepresentable: "any" }) as Json;

const errorSchema = schema(
  z.object({
    success: z.literal(false),
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  }),
);

const envelope = (data: Json, extra: Json = {}): Json => ({
  type: "object",
  required: ["success", "data"],
  properties: { success: { const: true }, data, ...extra },
});

const errors = (...codes: number[]): Json =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description:
          {
            400: "Invalid input or failed probe",
            401: "Missing or invalid credentials",
            404: "Not found (also for another workspace's resources)",
            409: "Conflict",
            413: "Body too large",
            415: "Not JSON",
            429: "Rate limit exceeded (see Retry-After)",
          }[c] ?? "Error",
        content: { "application/json": { schema: errorSchema } },
      },
    ]),
  );

type Op = {
  summary: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  ok: Json;
  status?: number;
  codes?: number[];
};

function operation(tag: string, op: Op, pathParams: string[]): Json {
  const parameters: Json[] = pathParams.map((name) => ({
    name,
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  if (op.query) {
    const q = schema(op.query, "input") as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, s] of Object.entries(q.properties ?? {}))
      parameters.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema: s });
  }
  return {
    tags: [tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body
      ? { requestBody: { required: true, content: { "application/json": { schema: schema(op.body, "input") } } } }
      : {}),
    responses: {
      [String(op.status ?? 200)]: { description: "Success", content: { "application/json": { schema: op.ok } } },
      ...errors(401, 429, ...(op.codes ?? [])),
    },
  };
}

const idParams = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "");

/** Extra paths registered by other modules (events, deliveries), each from its own schemas. */
export type PathSpec = Record<string, Partial<Record<"get" | "post" | "put" | "patch" | "delete", Op>>>;

export const webhookPaths: PathSpec = {
  "/webhooks": {
    get: { summary: "List webhooks", ok: envelope(schema(z.array(webhookViewSchema))) },
    post: {
      summary: "Create a webhook",
      description:
        "Probes the URL with a signed webhook.probe POST (2xx within 10 s required). The plaintext secret is returned only here. " +
        "The URL is stored normalised (as a WHATWG URL parser reads it). A workspace has at most MAX_WEBHOOKS_PER_WORKSPACE webhooks " +
        "(default 50): one more answers 409 with code `quota_exceeded` and `details.limit`.",
      body: createWebhookSchema,
      ok: envelope(schema(webhookWithSecretSchema)),
      status: 201,
      codes: [400, 409, 413, 415],
    },
  },
  "/webhooks/{id}": {
    get: { summary: "Get a webhook", ok: envelope(schema(webhookViewSchema)), codes: [404] },
    patch: {
      summary: "Update url, events and/or isActive",
      description:
        "A URL change, or re-enabling a disabled webhook, re-runs the probe; a failed probe rejects the update with 400.",
      body: updateWebhookSchema,
      ok: envelope(schema(webhookViewSchema)),
      codes: [400, 404, 413, 415],
    },
    delete: {
      summary: "Delete a webhook",
      description: "Hard delete; pending deliveries stop at once; logs are kept for the retention period.",
      ok: envelope({ type: "object" }),
      codes: [404],
    },
  },
  "/webhooks/{id}/rotate-secret": {
    post: {
      summary: "Rotate the signing secret",
      description: "Returns the new plaintext secret once; the old secret stops signing immediately.",
      ok: envelope(schema(webhookWithSecretSchema)),
      codes: [404],
    },
  },
  "/webhooks/stats": {
    get: {
      summary: "24 h activity of every webhook (sparklines)",
      description:
        "Per webhook, succeeded and failed delivery attempts in each of the last 24 hourly buckets (aligned to UTC hours; the last is the current hour).",
      ok: envelope(schema(webhookSparklinesSchema)),
    },
  },
  "/webhooks/deleted": {
    get: {
      summary: "Deleted webhooks whose delivery logs are retained",
      description:
        "Newest first (at most 100): each deleted webhook of the workspace that still has deliveries in the log, with the URL and time of its latest one. Read a log with GET /webhooks/{id}/deliveries until retention purges it.",
      ok: envelope(schema(z.array(deletedWebhookLogSchema))),
    },
  },
  "/webhooks/{id}/stats": {
    get: {
      summary: "Delivery health of a webhook over the last 24 h",
      description:
        "Hourly buckets (aligned to UTC hours) of delivery attempts: total, succeeded, failed, p50 and p95 duration in ms; and the totals of the window with the success rate. Every attempt counts, retries and replays included; a 2xx answer is a success. `deliveries` counts the deliveries created in the window by outcome (a delivery that succeeded after retries is one success) with their success rate, succeeded / settled.",
      ok: envelope(schema(webhookHealthSchema)),
      codes: [404],
    },
  },
  "/event-types": {
    get: {
      summary: "The event catalog",
      description: "Each type with its description, JSON schema and example payload.",
      ok: envelope({ type: "array" }),
    },
  },
  "/api-keys": {
    get: { summary: "List API keys (prefix only)", ok: envelope({ type: "array" }) },
    post: {
      summary: "Create an API key (plaintext returned once)",
      body: createApiKeySchema,
      ok: envelope({ type: "object" }),
      status: 201,
      codes: [400],
    },
  },
  "/api-keys/{id}": { delete: { summary: "Revoke an API key", ok: envelope({ type: "object" }), codes: [404] } },
};

const pagination = schema(
  z.object({ page: z.number().int(), limit: z.number().int(), total: z.number().int(), totalPages: z.number().int() }),
);

export const deliveryPaths: PathSpec = {
  "/events": {
    post: {
      summary: "Publish an event",
      description:
        "Validates `data` against the catalog schema of `type` and fans it out to every active webhook of the workspace subscribed to it. " +
        "Send an `Idempotency-Key` header to make retries safe: a repeat within 24 h returns the first answer (header `Idempotent-Replayed: true`) and sends nothing new.",
      body: publishEventSchema,
      ok: envelope(
        schema(z.object({ id: z.string(), type: z.string(), timestamp: z.string(), webhooks: z.number().int() })),
      ),
      status: 202,
      codes: [400, 409, 413, 415],
    },
  },
  "/webhooks/{id}/test": {
    post: {
      summary: "Send a test event",
      description: "Sends the catalog's example payload of the type (marked `test: true`); never retried.",
      body: testEventSchema,
      ok: envelope(schema(deliveryViewSchema)),
      status: 202,
      codes: [400, 404],
    },
  },
  "/webhooks/{id}/deliveries": {
    get: {
      summary: "Delivery log, newest first",
      query: listDeliveriesQuerySchema,
      ok: envelope(schema(z.array(deliveryViewSchema)), { pagination }),
      codes: [400, 404],
    },
  },
  "/webhooks/{id}/deliveries/{deliveryId}": {
    get: { summary: "One delivery with its attempts", ok: envelope(schema(deliveryViewSchema)), codes: [404] },
  },
  "/webhooks/{id}/deliveries/{deliveryId}/replay": {
    post: {
      summary: "Replay a delivery",
      description:
        "Re-sends the original payload with the same webhook-id to the current URL, signed with the current secret; sent once, not retried; counts against the rate limit.",
      ok: envelope(schema(deliveryViewSchema)),
      status: 202,
      codes: [404],
    },
  },
};

/** Disabled-endpoint notices (the dashboard's banner) and the workspace's operational webhook (issue 14). */
export const noticePaths: PathSpec = {
  "/notices": {
    get: {
      summary: "Disabled-endpoint notices to show",
      description:
        "One per endpoint that was disabled automatically, is still disabled and whose notice nobody in the workspace has dismissed (latest disable first). " +
        "Re-enabling the endpoint (PATCH /webhooks/{id} with isActive: true, which probes first) also ends its notice; a later automatic disable is a new notice.",
      ok: envelope(schema(z.array(noticeViewSchema))),
    },
  },
  "/notices/{id}/dismiss": {
    post: {
      summary: "Dismiss a notice for the whole workspace",
      description: "Idempotent. Dismissal is per workspace: the banner disappears for every member.",
      ok: envelope(schema(z.object({ id: z.string(), dismissed: z.literal(true) }))),
      codes: [404],
    },
  },
  "/operational-webhook": {
    get: {
      summary: "The workspace's operational webhook, or null",
      ok: envelope(schema(operationalWebhookViewSchema.nullable())),
    },
    put: {
      summary: "Set the operational webhook (create or change its URL)",
      description:
        "Receives the operational events webhook.disabled and webhook.recovered (see /docs/events), signed with Standard Webhooks and its own secret. " +
        "A new URL is probed first with a signed webhook.probe (2xx within 10 s required). Creating it answers `created: true` with the plaintext secret, shown this once; " +
        "changing the URL answers `created: false` and keeps the secret (DELETE, then PUT, for a new one).",
      body: putOperationalWebhookSchema,
      ok: envelope(schema(putOperationalWebhookResultSchema)),
      codes: [400, 409, 413, 415],
    },
    delete: {
      summary: "Remove the operational webhook",
      description:
        "Idempotent: `deleted` says whether there was one. Operational events queued afterwards are not sent.",
      ok: envelope(schema(z.object({ deleted: z.boolean() }))),
    },
  },
};

const recoveryWindow =
  `The window is [since, until): deliveries created at or after \`since\` and before \`until\` (default: now). ` +
  `\`since\` must be earlier than \`until\`, neither in the future, and at most ${MAX_RECOVERY_DAYS} days ago.`;

export const recoveryPaths: PathSpec = {
  "/webhooks/{id}/recover": {
    get: {
      summary: "Dry run: count what a recovery would replay",
      description: `How many deliveries \`POST /webhooks/{id}/recover\` with the same window would replay now; sends nothing. ${recoveryWindow}`,
      query: recoverQueryFieldsSchema,
      ok: envelope(schema(recoveryCountSchema)),
      codes: [400, 404],
    },
    post: {
      summary: "Recover failed deliveries: replay every failed delivery of a time window",
      description:
        "Replays, once each and oldest first, every event delivery of this webhook that had ended `failed` when the recovery started " +
        "(except those a replay had already delivered), with its original webhook-id and payload, to the current URL, signed with the current secret, " +
        "paced by the per-endpoint delivery rate. Replays are never retried and never count toward auto-disable. Counts once against the rate limit. " +
        `${recoveryWindow} At most ${MAX_RECOVERY_DELIVERIES} deliveries per recovery (400 beyond). ` +
        "409 `conflict` (with `details.recoveryId`) while another recovery of the webhook is running. Follow it with GET /webhooks/{id}/recoveries/{recoveryId}.",
      body: recoverBodySchema,
      ok: envelope(schema(recoveryViewSchema)),
      status: 202,
      codes: [400, 404, 409, 413, 415],
    },
  },
  "/webhooks/{id}/recoveries": {
    get: {
      summary: "The webhook's recoveries, newest first",
      description: "At most 20, each with its status and progress (a running one first, if any).",
      ok: envelope(schema(z.array(recoveryViewSchema))),
      codes: [404],
    },
  },
  "/webhooks/{id}/recoveries/{recoveryId}": {
    get: {
      summary: "A recovery's status and progress",
      description:
        "`total` deliveries to replay, `sent` = `succeeded` + `failed` so far; `status` is `running` until every replay has settled, then `completed` " +
        "(`total` is then exactly the replays made), or `cancelled` (webhook deleted) or `failed` (with `error`).",
      ok: envelope(schema(recoveryViewSchema)),
      codes: [404],
    },
  },
};

export function openApiDocument(extra: PathSpec[] = []): Json {
  const paths: Json = {};
  for (const spec of [webhookPaths, deliveryPaths, recoveryPaths, noticePaths, ...extra]) {
    for (const [path, ops] of Object.entries(spec)) {
      const tag = path.split("/")[1] ?? "api";
      paths[path] = Object.fromEntries(
        Object.entries(ops).map(([method, op]) => [method, operation(tag, op, idParams(path))]),
      );
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Akol Webhooks API",
      version: "1.0.0",
      description: "Manage webhook subscriptions, publish events and inspect deliveries.",
    },
    servers: [{ url: "/api/v1" }],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "An API key (akol_sk_…)" },
        sessionCookie: { type: "apiKey", in: "cookie", name: "next-auth.session-token" },
      },
    },
    paths,
  };
}
