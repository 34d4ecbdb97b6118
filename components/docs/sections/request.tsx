import type { ReactNode } from "react";
import { A, C, CodeBlock, DocTable, P, PhoneOnly, Section } from "@/components/docs/ui";
import {
  EXAMPLE_ATTEMPT_SECONDS,
  EXAMPLE_MESSAGE_ID,
  exampleDelivery,
  exampleEnvelope,
  prettyJson,
} from "@/lib/docs/examples";
import { CATALOG } from "@/lib/events/catalog";
import { USER_AGENT } from "@/lib/outbound/user-agent";

const HEADERS: { name: string; example: string; meaning: ReactNode }[] = [
  { name: "Content-Type", example: "application/json", meaning: "Always JSON." },
  {
    name: "User-Agent",
    example: USER_AGENT,
    meaning: "Names the product and version. Informational only: anyone can send it.",
  },
  {
    name: "webhook-id",
    example: EXAMPLE_MESSAGE_ID,
    meaning: (
      <>
        The message id (<C>msg_…</C>). Identical on every retry and every manual replay of the same message, so it is
        your idempotency key: remember the ids you have processed and skip repeats.
      </>
    ),
  },
  {
    name: "webhook-timestamp",
    example: String(EXAMPLE_ATTEMPT_SECONDS),
    meaning: (
      <>
        When this attempt was sent, in integer Unix seconds. It changes on every attempt (when the event happened is the
        body&apos;s <C>timestamp</C>).
      </>
    ),
  },
  {
    name: "webhook-signature",
    example: "v1,<base64>",
    meaning: (
      <>
        One or more space-separated signatures, each <C>v1,</C> followed by a base64 HMAC-SHA256. See{" "}
        <A href="#signatures">Verifying signatures</A>.
      </>
    ),
  },
];

const BODY_FIELDS: { name: string; type: string; meaning: ReactNode }[] = [
  {
    name: "type",
    type: "string",
    meaning: (
      <>
        The event type, e.g. <C>call.ended</C>. See the <A href="/docs/events">event catalog</A>.
      </>
    ),
  },
  { name: "timestamp", type: "string (ISO 8601)", meaning: "When the event happened." },
  { name: "data", type: "object", meaning: "The event's fields; their schema depends on the type." },
  {
    name: "test",
    type: "boolean",
    meaning: (
      <>
        Present, and <C>true</C>, only on <A href="#test-events">test events</A>.
      </>
    ),
  },
];

export function RequestSection() {
  const example = exampleDelivery();
  const callEnded = CATALOG.find((d) => d.type === "call.ended") ?? CATALOG[0];
  const body = callEnded ? prettyJson(exampleEnvelope(callEnded)) : "";
  return (
    <Section id="request" title="The request">
      <P>
        We send <C>POST</C> to the URL of the webhook, with the body as UTF-8 JSON and these headers:
      </P>
      <DocTable
        caption="Request headers"
        columns={["Header", "Example", "Meaning"]}
        hideOnPhone={[1]}
        rows={HEADERS.map((h) => ({
          key: h.name,
          cells: [
            <>
              <C>{h.name}</C>
              <PhoneOnly>
                <span className="font-mono break-all">{h.example}</span>
              </PhoneOnly>
            </>,
            <C key="e">{h.example}</C>,
            h.meaning,
          ],
        }))}
      />
      <P>The body is always the same envelope:</P>
      <DocTable
        caption="Body fields"
        columns={["Field", "Type", "Meaning"]}
        hideOnPhone={[1]}
        rows={BODY_FIELDS.map((f) => ({
          key: f.name,
          cells: [
            <>
              <C>{f.name}</C>
              <PhoneOnly>{f.type}</PhoneOnly>
            </>,
            f.type,
            f.meaning,
          ],
        }))}
      />
      <P>
        Bodies are sent as compact JSON; the examples on these pages are indented for reading, and the order of keys may
        differ from them. New optional fields may appear in <C>data</C> at any time: ignore fields you do not know.
        Events of types you did not subscribe to never arrive.
      </P>
      <CodeBlock
        caption="An example call.ended delivery (raw HTTP)"
        copyLabel="Copy example request"
        code={example.http}
      />
      <CodeBlock caption="Its body, indented" copyLabel="Copy example body" code={body} />
    </Section>
  );
}
