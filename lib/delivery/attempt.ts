import { db } from "@/lib/db";
import { recordDeliveryFailure } from "@/lib/delivery/failure";
import { retryDelaySeconds } from "@/lib/delivery/schedule";
import { env } from "@/lib/env";
import { Prisma, type Delivery, type Webhook } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { log } from "@/lib/log";
import { sendWebhookRequest, type DeliveryResult } from "@/lib/outbound/http-client";
import { signedHeaders } from "@/lib/outbound/sign";
import { storableText } from "@/lib/storable";
import { decryptSecret } from "@/lib/webhooks/secret";

/**
 * One delivery attempt: re-checks that the webhook still exists and is
 * active, signs the stored payload (same webhook-id every time) with the
 * current secret, POSTs it through the SSRF-safe client to the current URL,
 * records the attempt, and decides what comes next.
 */

export type AttemptOutcome =
  { done: true; status: "succeeded" | "failed" | "cancelled" } | { done: false; retryInSeconds: number };
/** Stored response headers: at most this many, each value at most this long. */
const MAX_STORED_HEADERS = 64;
const MAX_HEADER_VALUE_CHARS = 2048;
const MAX_ERROR_CHARS = 1000;

export class DeliveryInternalError extends Error {
  override name = "DeliveryInternalError";
}

function describeFailure(r: DeliveryResult): string | null {
  if (r.ok) return null;
  if (r.error) return `${r.error.kind}: ${r.error.message}`;
  return `endpoint answered ${r.status ?? "?"}`;
}

async function finishWithout(
  deliveryId: string,
  status: "cancelled" | "failed",
  error: string,
): Promise<AttemptOutcome> {
  await db.delivery.updateMany({
    where: { id: deliveryId, status: "pending" },
    data: { status, error, nextAttemptAt: null },
  });
  return { done: true, status };
}

/** The delivery and its webhook (same workspace; null fields when deleted), in one round trip. */
type Loaded = Pick<Delivery, "status" | "attemptCount" | "nextAttemptAt" | "kind" | "payload" | "messageId"> & {
  webhook: Pick<Webhook, "id" | "url" | "isActive" | "disabledReason" | "secretEncrypted"> | null;
};

async function load(deliveryId: string): Promise<Loaded | undefined> {
  const rows = await db.$queryRaw<
    Array<Omit<Loaded, "webhook"> & { webhookId: string | null } & Omit<NonNullable<Loaded["webhook"]>, "id">>
  >`
    SELECT d.status::text AS status, d."attemptCount", d."nextAttemptAt", d.kind::text AS kind, d.payload, d."messageId",
           w.id AS "webhookId", w.url, w."isActive", w."disabledReason", w."secretEncrypted"
      FROM "Delivery" d LEFT JOIN "Webhook" w ON w.id = d."webhookId" AND w."workspaceId" = d."workspaceId"
     WHERE d.id = ${deliveryId}`;
  const r = rows[0];
  if (!r) return undefined;
  const { webhookId, url, isActive, disabledReason, secretEncrypted, ...delivery } = r;
  return {
    ...delivery,
    webhook: webhookId === null ? null : { id: webhookId, url, isActive, disabledReason, secretEncrypted },
  };
}

export async function attemptDelivery(deliveryId: string, attempt: number): Promise<AttemptOutcome> {
  const delivery = await load(deliveryId);
  if (!delivery) return { done: true, status: "cancelled" };
  if (delivery.status !== "pending") return { done: true, status: delivery.status };
  if (delivery.attemptCount >= attempt) {
    // This attempt was recorded before a crash: resume from the stored decision instead of sending again.
    const wait = delivery.nextAttemptAt ? Math.max(0, (delivery.nextAttemptAt.getTime() - Date.now()) / 1000) : 0;
    return { done: false, retryInSeconds: wait };
  }

  const check = sendableWebhook(delivery.webhook, delivery.kind);
  if (!check.ok) return finishWithout(deliveryId, "cancelled", check.cancelled);
  const { webhook } = check;

  let secret: string;
  try {
    secret = decryptSecret(webhook.secretEncrypted, webhook.id);
  } catch {
    throw new DeliveryInternalError("internal: could not decrypt the signing secret");
  }

  const { startedAt, result } = await sendAttempt(webhook.url, secret, delivery);
  const { gone, retryInSeconds } = attemptDecision(result, attempt, delivery.kind);
  await recordAttempt({
    deliveryId,
    webhookId: webhook.id,
    kind: delivery.kind,
    url: webhook.url,
    attempt,
    startedAt,
    result,
    gone,
    nextAttemptAt: retryInSeconds === null ? null : new Date(Date.now() + retryInSeconds * 1000),
  });

  return retryInSeconds === null
    ? { done: true, status: result.ok ? "succeeded" : "failed" }
    : { done: false, retryInSeconds };
}

/**
 * The webhook to send a delivery to now, or why the delivery is cancelled
 * instead: its webhook was deleted, or (an event delivery; tests and replays
 * still go) is disabled.
 */
export function sendableWebhook<W extends { isActive: boolean; disabledReason: string | null }>(
  webhook: W | null,
  kind: Delivery["kind"],
): { ok: true; webhook: W } | { ok: false; cancelled: string } {
  if (!webhook) return { ok: false, cancelled: "webhook was deleted" };
  if (!webhook.isActive && kind === "event")
    return {
      ok: false,
      cancelled: `endpoint is disabled${webhook.disabledReason ? `: ${webhook.disabledReason}` : ""}`,
    };
  return { ok: true, webhook };
}

/**
 * One signed POST of a delivery's stored payload (same `webhook-id` every
 * time) through the one delivery HTTP client, within WEBHOOK_TIMEOUT_MS:
 * every attempt, in a `deliver` run or a batch's first attempts, is sent here.
 */
export async function sendAttempt(
  url: string,
  secret: string,
  delivery: { payload: string; messageId: string },
): Promise<{ startedAt: Date; result: DeliveryResult }> {
  const startedAt = new Date();
  const result = await sendWebhookRequest({
    url,
    body: delivery.payload,
    headers: signedHeaders(secret, delivery.messageId, delivery.payload, startedAt),
    timeoutMs: env().WEBHOOK_TIMEOUT_MS,
  });
  return { startedAt, result };
}

/**
 * What follows attempt `attempt`: a 410 Gone is final; only event deliveries
 * are retried (tests and replays never), on the schedule, a 429 or 503 no
 * sooner than its Retry-After. `retryInSeconds` null: the delivery is settled.
 */
export function attemptDecision(
  result: DeliveryResult,
  attempt: number,
  kind: Delivery["kind"],
): { gone: boolean; retryInSeconds: number | null } {
  const gone = result.status === 410;
  const honoursRetryAfter = result.status === 429 || result.status === 503;
  const retryInSeconds =
    result.ok || gone || kind !== "event"
      ? null
      : retryDelaySeconds(attempt, honoursRetryAfter ? result.retryAfterSeconds : undefined);
  return { gone, retryInSeconds };
}

export type AttemptRecord = {
  deliveryId: string;
  webhookId: string;
  /** A replay's failure never moves the endpoint's failure streak (recordDeliveryFailure). */
  kind: Delivery["kind"];
  url: string;
  attempt: number;
  startedAt: Date;
  result: DeliveryResult;
  gone: boolean;
  /** null: this was the delivery's last attempt (its outcome is final). */
  nextAttemptAt: Date | null;
};

type StoredResponse = {
  /** Header names and values already made storable (storableText): JSON.stringify gives valid jsonb text. */
  headers: Record<string, string> | null;
  body: string | null;
  bodyTruncated: boolean;
  error: string | null;
};

/** What of the receiver's answer is stored: text PostgreSQL accepts (NUL and the like → U+FFFD), bounded. */
export function storableResponse(result: DeliveryResult): StoredResponse {
  let headers: Record<string, string> | null = null;
  if (result.headers) {
    headers = {};
    let n = 0;
    for (const k in result.headers) {
      if (n++ >= MAX_STORED_HEADERS) break;
      headers[storableText(k)] = storableText(result.headers[k]!).slice(0, MAX_HEADER_VALUE_CHARS);
    }
  }
  const error = describeFailure(result);
  return {
    headers,
    body: result.body === undefined ? null : storableText(result.body),
    bodyTruncated: result.bodyTruncated,
    error: error === null ? null : storableText(error).slice(0, MAX_ERROR_CHARS),
  };
}

/**
 * Records one attempt — the only function that does: the attempt row, the
 * delivery's state and the webhook's lastTriggeredAt in one statement; a
 * success (a replay's too) also ends the endpoint's failure streak, and a
 * final failure extends it (recordDeliveryFailure, same transaction) unless
 * it is a replay's. If the receiver's
 * answer cannot be stored, the attempt is recorded without it (and says so):
 * an attempt always counts.
 */
export async function recordAttempt(a: AttemptRecord): Promise<void> {
  try {
    await write(a, storableResponse(a.result));
  } catch (err) {
    log.error("could not store a delivery attempt's response; recording the attempt without it", {
      deliveryId: a.deliveryId,
      attempt: a.attempt,
      err,
    });
    const base = describeFailure(a.result);
    await write(a, {
      headers: null,
      body: null,
      bodyTruncated: false,
      error: `${base ? `${storableText(base).slice(0, MAX_ERROR_CHARS)}; ` : ""}the response could not be stored`,
    });
  }
}

async function write(a: AttemptRecord, response: StoredResponse): Promise<void> {
  const { result } = a;
  const final = a.nextAttemptAt === null;
  const status = result.ok ? "succeeded" : final ? "failed" : "pending";
  const now = new Date();
  const statement = Prisma.sql`
      WITH attempt AS (
        INSERT INTO "DeliveryAttempt" (id, "deliveryId", "attemptNumber", "startedAt", "statusCode", "durationMs", error)
        VALUES (${newId("att")}, ${a.deliveryId}, ${a.attempt}, ${a.startedAt}, ${result.status ?? null}::int,
                ${result.durationMs}, ${response.error})
        ON CONFLICT DO NOTHING
      ), hook AS (
        UPDATE "Webhook"
           SET "lastTriggeredAt" = ${a.startedAt}, "updatedAt" = ${now},
               "failureCount" = CASE WHEN ${result.ok} THEN 0 ELSE "failureCount" END,
               "failingSince" = CASE WHEN ${result.ok} THEN NULL ELSE "failingSince" END
         WHERE id = ${a.webhookId}
      )
      UPDATE "Delivery"
         SET url = ${a.url}, "attemptCount" = ${a.attempt}, status = ${status}::"DeliveryStatus", success = ${result.ok},
             "statusCode" = ${result.status ?? null}::int,
             "responseHeaders" = COALESCE(${response.headers === null ? null : JSON.stringify(response.headers)}::jsonb, "responseHeaders"),
             "responseBody" = ${response.body}, "responseBodyTruncated" = ${response.bodyTruncated},
             "durationMs" = ${result.durationMs}, error = ${response.error}, "nextAttemptAt" = ${a.nextAttemptAt},
             "updatedAt" = ${now}
       WHERE id = ${a.deliveryId}`;
  if (!final || result.ok) {
    // The hot path: one statement, atomic by itself (no BEGIN/COMMIT round trips).
    await db.$executeRaw(statement);
    return;
  }
  // A failed delivery extends the endpoint's failure streak, which may disable it: read-modify-write.
  await db.$transaction(async (tx) => {
    await tx.$executeRaw(statement);
    await recordDeliveryFailure(tx, a.webhookId, { gone: a.gone, at: a.startedAt, replay: a.kind === "replay" });
  });
}
