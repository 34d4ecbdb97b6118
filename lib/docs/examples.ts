import { CATALOG, PROBE_EVENT_TYPE } from "@/lib/events/catalog";
import type { EventTypeDefinition } from "@/lib/events/catalog/define";
import { sign } from "@/lib/outbound/sign";
import { USER_AGENT } from "@/lib/outbound/user-agent";

/**
 * Example requests for the docs, built with the real signer
 * (lib/outbound/sign.ts), so the published test vector is exactly what the
 * product would send.
 */

/** When the example events "happened". */
export const EXAMPLE_TIMESTAMP = "2026-04-18T14:23:10.000Z";

/** The body envelope of an event, as sent (`test: true` only on test events). */
export function exampleEnvelope(def: Pick<EventTypeDefinition, "type" | "example">, options: { test?: boolean } = {}) {
  return options.test
    ? { type: def.type, timestamp: EXAMPLE_TIMESTAMP, test: true, data: def.example }
    : { type: def.type, timestamp: EXAMPLE_TIMESTAMP, data: def.example };
}

export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A documentation-only secret (never issued to anyone), for the test vector. */
export const EXAMPLE_SECRET = "whsec_22P9ZBfuYvjweGnqHMlNTK42hg+kuakzYQZavCDQigo=";
export const EXAMPLE_MESSAGE_ID = "msg_1JRV0T7Z4Kq8bXr2mWc9dHs6pNe3";
/** Unix seconds of the example attempt (one second after the event). */
export const EXAMPLE_ATTEMPT_SECONDS = 1776522191;

function callEndedDefinition(): EventTypeDefinition {
  const def = CATALOG.find((d) => d.type === "call.ended") ?? CATALOG[0];
  if (!def) throw new Error("the event catalog is empty");
  return def;
}

/** The compact body, the headers and the HTTP request of one example call.ended delivery. */
export function exampleDelivery() {
  const body = JSON.stringify(exampleEnvelope(callEndedDefinition()));
  const signature = sign(EXAMPLE_SECRET, EXAMPLE_MESSAGE_ID, EXAMPLE_ATTEMPT_SECONDS, body);
  const headers: [string, string][] = [
    ["Content-Type", "application/json"],
    ["User-Agent", USER_AGENT],
    ["webhook-id", EXAMPLE_MESSAGE_ID],
    ["webhook-timestamp", String(EXAMPLE_ATTEMPT_SECONDS)],
    ["webhook-signature", signature],
  ];
  const http = [
    "POST /akol-webhook HTTP/1.1",
    "Host: example.com",
    ...headers.map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\n");
  return { body, signature, signedContent: `${EXAMPLE_MESSAGE_ID}.${EXAMPLE_ATTEMPT_SECONDS}.${body}`, http };
}

/** The body of a probe (its data as lib/webhooks/probe.ts sends it). */
export function exampleProbeBody() {
  return {
    type: PROBE_EVENT_TYPE,
    timestamp: EXAMPLE_TIMESTAMP,
    data: {
      webhookId: "whk_1JRV0S2N8c4Ht7Yq3wPz5kDm9a",
      message: "Akol Webhooks is checking that this endpoint accepts deliveries.",
    },
  };
}
