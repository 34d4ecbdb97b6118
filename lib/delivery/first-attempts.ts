import { db } from "@/lib/db";
import {
  attemptDecision,
  recordAttempt,
  sendableWebhook,
  sendAttempt,
  storableResponse,
  type AttemptRecord,
} from "@/lib/delivery/attempt";
import { reserveFirstAttempts, type Grant } from "@/lib/delivery/budget";
import { env } from "@/lib/env";
import { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import type { DeliveryRequestedData } from "@/lib/jobs/events";
import { log } from "@/lib/log";
import type { DeliveryResult } from "@/lib/outbound/http-client";
import { decryptSecret } from "@/lib/webhooks/secret";

/**
 * First attempts of a batch of new deliveries, made inside the batched
 * fan-out's step (the common case — a first attempt that succeeds — then
 * costs a share of one run per batch of events, not a run per delivery):
 *
 * 1. one query loads the deliveries with their webhooks; each webhook is
 *    re-checked here, before sending: deleted → `cancelled`, disabled →
 *    `cancelled`, no longer subscribed to the event type → `cancelled`
 *    (one statement for all);
 * 2. the endpoint's budget (lib/delivery/budget.ts) says how many may be
 *    attempted within the next second and when (one every 1/rate s); the
 *    rest are handed to `deliver` runs (throttled);
 * 3. the attempts go out with bounded parallelism (FIRST_ATTEMPT_PARALLELISM)
 *    through the one delivery HTTP client (SSRF check at connect time, TLS
 *    verified, WEBHOOK_TIMEOUT_MS), signed exactly like a `deliver` attempt
 *    (same `webhook-id` = the delivery's message id); none starts after
 *    WEBHOOK_TIMEOUT_MS into the step (the rest are handed over), so the step
 *    ends within about twice the timeout;
 * 4. ONE statement records the attempts that succeeded or will be retried
 *    (attempt rows, delivery rows, the webhooks' lastTriggeredAt and failure
 *    streak reset); a first attempt that is final and failed (410 Gone, or an
 *    empty retry schedule) is recorded by recordAttempt, which extends the
 *    endpoint's failure streak (rare).
 *
 * Returns the deliveries that need a durable `deliver` run: a first attempt
 * that failed and will be retried (the run resumes from the recorded decision:
 * attemptDelivery), or one that was not attempted here (over budget, an
 * undecryptable secret, out of time, an attempt that could not be recorded).
 * It never throws after sending: a step that threw would be re-run and send
 * again. Anything it cannot settle stays `pending` for the `deliver` run it
 * requests, and the sweep (lib/delivery/sweep.ts) is the net under that.
 * A crash mid-step re-runs the step: deliveries already recorded are not sent
 * again; one sent but not yet recorded is sent again, with the same webhook-id.
 */

/** Attempts in flight at once within one batch. */
export const FIRST_ATTEMPT_PARALLELISM = 32;

type Loaded = {
  id: string;
  status: string;
  attemptCount: number;
  kind: string;
  payload: string;
  messageId: string;
  eventType: string;
  webhookId: string;
  hookId: string | null;
  url: string | null;
  isActive: boolean | null;
  disabledReason: string | null;
  secretEncrypted: string | null;
  events: string[] | null;
};

type Sent = { d: Loaded; url: string; startedAt: Date; result: DeliveryResult };

export type FirstAttemptsOutcome = {
  /** Deliveries that need a `deliver` run (see above). */
  handOff: DeliveryRequestedData[];
  succeeded: number;
  cancelled: number;
};

export async function attemptFirstDeliveries(deliveryIds: string[]): Promise<FirstAttemptsOutcome> {
  const out: FirstAttemptsOutcome = { handOff: [], succeeded: 0, cancelled: 0 };
  if (deliveryIds.length === 0) return out;
  const handOff = (d: Loaded) => out.handOff.push({ deliveryId: d.id, webhookId: d.webhookId, kind: "event" });

  const rows = await db.$queryRaw<Loaded[]>`
    SELECT d.id, d.status::text AS status, d."attemptCount", d.kind::text AS kind, d.payload, d."messageId",
           d."eventType", d."webhookId", w.id AS "hookId", w.url, w."isActive", w."disabledReason",
           w."secretEncrypted", w.events
      FROM "Delivery" d LEFT JOIN "Webhook" w ON w.id = d."webhookId" AND w."workspaceId" = d."workspaceId"
     WHERE d.id = ANY(${deliveryIds}::text[])
     ORDER BY d."createdAt", d.id`;

  // 1. Re-check each webhook; what is not to be sent now is settled or handed over.
  const cancels: Array<{ id: string; error: string }> = [];
  const candidates: Loaded[] = [];
  for (const d of rows) {
    if (d.status !== "pending") continue;
    if (d.attemptCount > 0 || d.kind !== "event") {
      handOff(d); // attempted before (a re-run of this step): its run resumes from the recorded decision
      continue;
    }
    const check = sendableWebhook(
      d.hookId === null ? null : { isActive: d.isActive ?? false, disabledReason: d.disabledReason },
      "event",
    );
    if (!check.ok) cancels.push({ id: d.id, error: check.cancelled });
    else if (!(d.events ?? []).includes(d.eventType))
      cancels.push({ id: d.id, error: `endpoint is no longer subscribed to ${d.eventType}` });
    else candidates.push(d);
  }
  if (cancels.length) {
    await db.$executeRaw`
      UPDATE "Delivery" d SET status = 'cancelled', error = x.error, "nextAttemptAt" = NULL, "updatedAt" = now() AT TIME ZONE 'UTC'
        FROM unnest(${cancels.map((c) => c.id)}::text[], ${cancels.map((c) => c.error)}::text[]) AS x(id, error)
       WHERE d.id = x.id AND d.status = 'pending'`;
    out.cancelled = cancels.length;
  }

  // 2. The endpoints' budgets.
  const wanted = new Map<string, number>();
  for (const d of candidates) wanted.set(d.webhookId, (wanted.get(d.webhookId) ?? 0) + 1);
  let grants: Map<string, Grant>;
  try {
    grants = await reserveFirstAttempts(wanted);
  } catch (err) {
    log.error("first attempts: could not reserve the endpoints' budget; handing the batch to deliver runs", { err });
    grants = new Map();
  }
  const reservedAt = Date.now();
  const used = new Map<string, number>();
  const secrets = new Map<string, string | null>();
  const toSend: Array<{ d: Loaded; at: number }> = [];
  for (const d of candidates) {
    const grant = grants.get(d.webhookId);
    const k = used.get(d.webhookId) ?? 0;
    if (!grant || k >= grant.granted) {
      handOff(d);
      continue;
    }
    if (!secrets.has(d.webhookId)) {
      try {
        secrets.set(d.webhookId, decryptSecret(d.secretEncrypted!, d.webhookId));
      } catch {
        secrets.set(d.webhookId, null); // the deliver run fails it with the reason (DeliveryInternalError)
      }
    }
    if (secrets.get(d.webhookId) === null) {
      handOff(d);
      continue;
    }
    used.set(d.webhookId, k + 1);
    toSend.push({ d, at: reservedAt + grant.firstInMs + k * grant.intervalMs }); // its slot
  }
  toSend.sort((x, y) => x.at - y.at);

  // 3. Send, bounded.
  const stopStartingAt = Date.now() + env().WEBHOOK_TIMEOUT_MS;
  const sent: Sent[] = [];
  let next = 0;
  const worker = async () => {
    while (next < toSend.length) {
      const { d, at } = toSend[next++]!;
      if (at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now())); // paced: at its slot
      if (Date.now() >= stopStartingAt) {
        handOff(d);
        continue;
      }
      const { startedAt, result } = await sendAttempt(d.url!, secrets.get(d.webhookId)!, d);
      sent.push({ d, url: d.url!, startedAt, result });
    }
  };
  await Promise.all(Array.from({ length: Math.min(FIRST_ATTEMPT_PARALLELISM, toSend.length) }, worker));

  // 4. Record.
  const records = sent.map((s) => {
    const { gone, retryInSeconds: retryIn } = attemptDecision(s.result, 1, "event");
    const record: AttemptRecord = {
      deliveryId: s.d.id,
      webhookId: s.d.webhookId,
      kind: "event", // the batch's first attempts are of published events only
      url: s.url,
      attempt: 1,
      startedAt: s.startedAt,
      result: s.result,
      gone,
      nextAttemptAt: retryIn === null ? null : new Date(Date.now() + retryIn * 1000),
    };
    return { s, record };
  });
  const batched = records.filter((r) => r.record.result.ok || r.record.nextAttemptAt !== null);
  const finalFailures = records.filter((r) => !r.record.result.ok && r.record.nextAttemptAt === null);
  let recorded = false;
  if (batched.length) {
    try {
      await recordAttempts(batched.map((r) => r.record));
      recorded = true;
    } catch (err) {
      log.error("first attempts: the batched write failed; recording them one by one", { err });
    }
  }
  for (const r of recorded ? finalFailures : [...batched, ...finalFailures]) {
    try {
      await recordAttempt(r.record);
    } catch (err) {
      // Not recorded: still pending with no attempt; its deliver run sends it again (same webhook-id).
      log.error("first attempts: could not record an attempt; handing it to a deliver run", {
        deliveryId: r.record.deliveryId,
        err,
      });
      handOff(r.s.d);
      continue;
    }
  }
  for (const r of records) {
    if (r.record.result.ok) out.succeeded++;
    else if (r.record.nextAttemptAt !== null) handOff(r.s.d);
  }
  // A delivery handed over twice (not recorded, then retry) needs one request.
  out.handOff = [...new Map(out.handOff.map((h) => [h.deliveryId, h])).values()];
  return out;
}

/**
 * Records first attempts that succeeded or will be retried, in ONE statement:
 * the attempt rows, the deliveries' state, and per webhook lastTriggeredAt
 * (the latest) and the end of its failure streak when one of them succeeded —
 * what recordAttempt does for one (a final failure is not accepted here).
 * Webhook rows are locked in id order, so concurrent batches cannot deadlock.
 */
export async function recordAttempts(records: AttemptRecord[]): Promise<void> {
  const rows = records.map((a) => {
    if (!a.result.ok && a.nextAttemptAt === null)
      throw new Error("recordAttempts: a final failure goes through recordAttempt");
    const response = storableResponse(a.result);
    return {
      att: newId("att"),
      id: a.deliveryId,
      webhookId: a.webhookId,
      url: a.url,
      attempt: a.attempt,
      started: a.startedAt.toISOString(),
      code: a.result.status ?? null,
      ms: a.result.durationMs,
      error: response.error,
      ok: a.result.ok,
      status: a.result.ok ? "succeeded" : "pending",
      headers: response.headers,
      body: response.body,
      trunc: response.bodyTruncated,
      next: a.nextAttemptAt?.toISOString() ?? null,
    };
  });
  const json = JSON.stringify(rows);
  await db.$executeRaw(Prisma.sql`
    WITH x AS (
      SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS x(
        att text, id text, "webhookId" text, url text, attempt int, started timestamptz, code int, ms int, error text,
        ok boolean, status text, headers jsonb, body text, trunc boolean, next timestamptz)
    ), attempts AS (
      INSERT INTO "DeliveryAttempt" (id, "deliveryId", "attemptNumber", "startedAt", "statusCode", "durationMs", error)
      SELECT att, id, attempt, started AT TIME ZONE 'UTC', code, ms, error FROM x
      ON CONFLICT DO NOTHING
    ), h AS (
      SELECT "webhookId", max(started) AS last, bool_or(ok) AS anyok FROM x GROUP BY "webhookId"
    ), locked AS (
      SELECT w.id FROM "Webhook" w WHERE w.id IN (SELECT "webhookId" FROM h) ORDER BY w.id FOR UPDATE
    ), hooks AS (
      UPDATE "Webhook" w
         SET "lastTriggeredAt" = h.last AT TIME ZONE 'UTC', "updatedAt" = now() AT TIME ZONE 'UTC',
             "failureCount" = CASE WHEN h.anyok THEN 0 ELSE w."failureCount" END,
             "failingSince" = CASE WHEN h.anyok THEN NULL ELSE w."failingSince" END
        FROM h JOIN locked ON locked.id = h."webhookId"
       WHERE w.id = h."webhookId"
    )
    UPDATE "Delivery" d
       SET url = x.url, "attemptCount" = x.attempt, status = x.status::"DeliveryStatus", success = x.ok,
           "statusCode" = x.code, "responseHeaders" = COALESCE(x.headers, d."responseHeaders"),
           "responseBody" = x.body, "responseBodyTruncated" = x.trunc, "durationMs" = x.ms, error = x.error,
           "nextAttemptAt" = x.next AT TIME ZONE 'UTC', "updatedAt" = now() AT TIME ZONE 'UTC'
      FROM x
     WHERE d.id = x.id`);
}
