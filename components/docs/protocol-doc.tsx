import type { ReactNode } from "react";
import { DocsShell, type TocItem } from "@/components/docs/docs-shell";
import {
  A,
  C,
  Callout,
  CodeBlock,
  DocTable,
  H3,
  List,
  P,
  PhoneOnly,
  Section,
  withPhoneColumn,
} from "@/components/docs/ui";
import { USER_AGENT } from "@/lib/delivery/sign";
import {
  EXAMPLE_ATTEMPT_SECONDS,
  EXAMPLE_MESSAGE_ID,
  EXAMPLE_SECRET,
  exampleDelivery,
  exampleEnvelope,
  exampleProbeBody,
  prettyJson,
} from "@/lib/docs/examples";
import {
  CONNECT_TIMEOUT_MS,
  EVENT_TYPES_PATH,
  MAX_URL_LENGTH,
  OPENAPI_PATH,
  RESPONSE_BODY_LIMIT_BYTES,
  RETRY_AFTER_CAP_SECONDS,
  RETRY_JITTER_PERCENT,
  TIMESTAMP_TOLERANCE_SECONDS,
  formatBytes,
  formatDuration,
  formatMs,
  retryRows,
  retryWindowHours,
  type DocsSettings,
} from "@/lib/docs/facts";
import { MANUAL_NODE_SNIPPET, SNIPPETS } from "@/lib/docs/snippets";
import { CATALOG, PROBE_EVENT_TYPE } from "@/lib/events/catalog";

export const PROTOCOL_TOC: TocItem[] = [
  { id: "overview", title: "At a glance" },
  { id: "request", title: "The request" },
  { id: "signatures", title: "Verifying signatures" },
  { id: "responding", title: "Responses and status codes" },
  { id: "retries", title: "Retries" },
  { id: "failures", title: "Failures and auto-disable" },
  { id: "probe", title: "The endpoint probe" },
  { id: "test-events", title: "Test events" },
  { id: "replay", title: "Replaying a delivery" },
  { id: "rotation", title: "Rotating the secret" },
  { id: "logs", title: "Delivery logs" },
  { id: "security", title: "Network and TLS" },
  { id: "api", title: "API reference" },
];

const STANDARD_WEBHOOKS = "https://www.standardwebhooks.com/";
const LIBRARIES = "https://github.com/standard-webhooks/standard-webhooks/tree/main/libraries";

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

export function ProtocolDoc({ s }: { s: DocsSettings }) {
  const rows = retryRows(s.retrySchedule);
  const attempts = rows.length;
  const windowHours = retryWindowHours(s.retrySchedule);
  const timeout = formatMs(s.timeoutMs);
  const example = exampleDelivery();
  const callEnded = CATALOG.find((d) => d.type === "call.ended") ?? CATALOG[0];
  const testBody = callEnded ? prettyJson(exampleEnvelope(callEnded, { test: true })) : "";
  const body = callEnded ? prettyJson(exampleEnvelope(callEnded)) : "";
  const vector = [
    `secret             ${EXAMPLE_SECRET}`,
    `webhook-id         ${EXAMPLE_MESSAGE_ID}`,
    `webhook-timestamp  ${EXAMPLE_ATTEMPT_SECONDS}`,
    `body               ${example.body}`,
    "",
    `signed content     ${example.signedContent}`,
    `webhook-signature  ${example.signature}`,
  ].join("\n");

  return (
    <DocsShell
      current="/docs/webhooks"
      title="Webhook protocol"
      toc={PROTOCOL_TOC}
      intro={
        <>
          How Akol delivers events to your endpoint: what we send, how to check it came from us, and what happens when
          your endpoint is down. Deliveries follow the <A href={STANDARD_WEBHOOKS}>Standard Webhooks</A> specification,
          so the official libraries verify them unchanged.
        </>
      }
    >
      <Section id="overview" title="At a glance">
        <List>
          <li>
            Every event is an HTTPS <C>POST</C> of a JSON body <C>{"{type, timestamp, data}"}</C> to your URL, signed
            with your endpoint&apos;s secret in the <C>webhook-signature</C> header.
          </li>
          <li>
            Verify the signature over the raw body before trusting anything in it, and reject requests older than 5
            minutes.
          </li>
          <li>
            Answer with any <C>2xx</C> within {timeout}. Anything else is retried: {attempts} attempts over about{" "}
            {windowHours} hours.
          </li>
          <li>
            Delivery is at least once and not ordered: deduplicate on the <C>webhook-id</C> header and order by the
            body&apos;s <C>timestamp</C>.
          </li>
        </List>
        <H3>Setting up an endpoint</H3>
        <List ordered>
          <li>
            Deploy a handler like the <A href="#signatures">examples below</A>. It must answer <C>2xx</C> to the probe
            we send while creating the webhook.
          </li>
          <li>
            Create the webhook on the <A href="/webhooks">Webhooks</A> page (or <C>POST /api/v1/webhooks</C>) and choose
            its events from the <A href="/docs/events">event catalog</A>.
          </li>
          <li>
            Copy the signing secret (<C>whsec_…</C>): it is shown once. Give it to your handler, e.g. as{" "}
            <C>AKOL_WEBHOOK_SECRET</C>.
          </li>
          <li>Send a test event from the webhook&apos;s page and watch it succeed in the delivery log.</li>
        </List>
      </Section>

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
          Bodies are sent as compact JSON; the examples on these pages are indented for reading, and the order of keys
          may differ from them. New optional fields may appear in <C>data</C> at any time: ignore fields you do not
          know. Events of types you did not subscribe to never arrive.
        </P>
        <CodeBlock
          caption="An example call.ended delivery (raw HTTP)"
          copyLabel="Copy example request"
          code={example.http}
        />
        <CodeBlock caption="Its body, indented" copyLabel="Copy example body" code={body} />
      </Section>

      <Section id="signatures" title="Verifying signatures">
        <P>
          Anyone can POST to a public URL, so check every request before acting on it. The signature is computed exactly
          as Standard Webhooks specifies:
        </P>
        <List ordered>
          <li>
            The key is the base64-decoding of your secret after its <C>whsec_</C> prefix (32 random bytes).
          </li>
          <li>
            The signed content is <C>{"${webhook-id}.${webhook-timestamp}.${body}"}</C>, where <C>body</C> is the raw
            request body, byte for byte.
          </li>
          <li>
            The signature is <C>v1,</C> + base64(HMAC-SHA256(key, signed content)).
          </li>
          <li>
            <C>webhook-signature</C> may hold several space-separated signatures (for example during a future rotation
            grace period): accept the request if <em>any</em> <C>v1</C> signature matches, comparing in constant time.
          </li>
          <li>
            Reject the request if <C>webhook-timestamp</C> is more than {TIMESTAMP_TOLERANCE_SECONDS / 60} minutes away
            from your clock, in either direction: a captured request cannot be replayed later. Keep your server&apos;s
            clock synchronised (NTP).
          </li>
        </List>
        <Callout tone="warning" title="Verify the raw body, not re-serialised JSON">
          <p>
            Parsing the JSON and serialising it again changes whitespace, key order or number formatting, and the
            signature no longer matches. Read the body as bytes or text first:{" "}
            <C>express.raw({'{ type: "application/json" }'})</C> in Express, <C>await request.text()</C> in a Next.js
            route handler, <C>request.get_data()</C> in Flask, <C>io.ReadAll(r.Body)</C> in Go.
          </p>
        </Callout>
        <P>
          The official <A href={LIBRARIES}>Standard Webhooks libraries</A> do all of this. Pass them the secret exactly
          as shown (<C>whsec_…</C>): the Node.js, Python and Go libraries strip the prefix themselves. Each example
          below is a complete server that verifies before parsing, deduplicates on <C>webhook-id</C>, and acknowledges
          the creation-time <A href="#probe">probe</A>.
        </P>
        {SNIPPETS.map((snippet) => (
          <div key={snippet.id} className="space-y-3">
            <H3 id={`verify-${snippet.id}`}>{snippet.language}</H3>
            <CodeBlock
              caption="Install"
              copyLabel={`Copy ${snippet.language} install command`}
              code={snippet.install}
            />
            <CodeBlock caption={snippet.filename} copyLabel={`Copy ${snippet.language} example`} code={snippet.code} />
          </div>
        ))}
        <H3 id="verify-manual">Other languages, or by hand</H3>
        <P>
          The <A href={LIBRARIES}>Standard Webhooks libraries</A> also cover PHP, Ruby, Java, C#, Rust and Elixir.
          Without a library, the whole check is a few lines:
        </P>
        <CodeBlock
          caption={MANUAL_NODE_SNIPPET.filename}
          copyLabel="Copy verification function"
          code={MANUAL_NODE_SNIPPET.code}
        />
        <H3 id="test-vector">Test vector</H3>
        <P>
          Check your implementation against a known answer. This secret is for documentation only; the timestamp is in
          the past, so a library will reject it as too old unless you verify with its <C>sign</C> function or a fixed
          clock.
        </P>
        <CodeBlock caption="Known answer" copyLabel="Copy test vector" code={vector} />
      </Section>

      <Section id="responding" title="Responses and status codes">
        <P>
          Answer as soon as you have verified and stored the event, then do the slow work in the background. Only the
          status code matters to us; the response headers and the first {formatBytes(RESPONSE_BODY_LIMIT_BYTES)} of the
          body are kept in the delivery log to help you debug.
        </P>
        <DocTable
          caption="How each outcome of an attempt is handled"
          columns={["Your endpoint", "Outcome", "What happens next"]}
          hideOnPhone={[1]}
          rows={withPhoneColumn(
            [
              {
                key: "2xx",
                cells: [
                  <C key="s">2xx</C>,
                  "Success",
                  "The delivery is done. Your endpoint's failure count goes back to 0.",
                ],
              },
              {
                key: "3xx",
                cells: [
                  <C key="s">3xx</C>,
                  "Failure",
                  "Redirects are never followed (they could lead to an internal address). Retried on the schedule; change the webhook's URL to the final one instead.",
                ],
              },
              {
                key: "410",
                cells: [
                  <C key="s">410 Gone</C>,
                  "Failure",
                  "You asked us to stop: no more retries, and the endpoint is disabled at once with the reason shown. Re-enable it when it is ready again.",
                ],
              },
              {
                key: "429",
                cells: [
                  <>
                    <C>429</C> or <C>503</C> with <C>Retry-After</C>
                  </>,
                  "Failure",
                  <>
                    The next attempt waits as long as <C>Retry-After</C> says (seconds or an HTTP date), at most{" "}
                    {formatDuration(RETRY_AFTER_CAP_SECONDS)}, instead of the scheduled delay. It does not add attempts.
                  </>,
                ],
              },
              {
                key: "4xx5xx",
                cells: [
                  <>
                    Any other <C>4xx</C> or <C>5xx</C>
                  </>,
                  "Failure",
                  <>
                    Retried on the schedule. This includes a <C>400</C> for a bad signature, and <C>429</C>/<C>503</C>{" "}
                    without <C>Retry-After</C>.
                  </>,
                ],
              },
              {
                key: "timeout",
                cells: [
                  "No answer in time",
                  "Failure",
                  <>
                    Timeout: the whole exchange (connect, headers, body) must finish within {timeout}, and connecting
                    within {formatMs(CONNECT_TIMEOUT_MS)}. Retried.
                  </>,
                ],
              },
              {
                key: "network",
                cells: [
                  "TLS, connection or DNS error",
                  "Failure",
                  "An invalid, expired or self-signed certificate, a host name mismatch, a refused or reset connection, or a host that does not resolve. Retried.",
                ],
              },
              {
                key: "blocked",
                cells: [
                  "Blocked address",
                  "Failure",
                  <>
                    The host resolved to a private or reserved address when we connected (see{" "}
                    <A href="#security">Network and TLS</A>). Retried.
                  </>,
                ],
              },
            ],
            1,
          )}
        />
        <P>Test events and replays are sent once: whatever the outcome, they are never retried.</P>
      </Section>

      <Section id="retries" title="Retries">
        <P>
          A message that fails is retried on this schedule (each delay moves by up to ±{RETRY_JITTER_PERCENT} % so that
          retries of many messages do not arrive together):
        </P>
        <DocTable
          caption={`Retry schedule: ${attempts} attempts over about ${windowHours} hours`}
          columns={["Attempt", "Delay after the previous attempt", "Time since the first attempt"]}
          rows={rows.map((r) => ({
            key: String(r.attempt),
            cells: [
              String(r.attempt),
              r.attempt === 1 ? "Immediately" : formatDuration(r.delaySeconds),
              r.attempt === 1 ? "—" : formatDuration(r.afterFirstSeconds),
            ],
          }))}
        />
        <List>
          <li>
            After attempt {attempts} fails, the delivery is marked failed. It stays in the log, where you can{" "}
            <A href="#replay">replay</A> it.
          </li>
          <li>
            Every attempt sends the same body with the same <C>webhook-id</C>, to the webhook&apos;s current URL, signed
            with its current secret and a new <C>webhook-timestamp</C>.
          </li>
          <li>
            Attempts are scheduled durably: a restart on our side loses none of them. The flip side of at-least-once
            delivery is that you may, rarely, see a message twice even after answering <C>2xx</C>; deduplicate on{" "}
            <C>webhook-id</C>.
          </li>
          <li>
            Messages are not ordered: a retry can arrive after newer events. Use the body&apos;s <C>timestamp</C> (and
            the ids in <C>data</C>) to order them.
          </li>
          <li>
            We send at most {s.deliveryRatePerSecond} deliveries per second to one endpoint; bursts beyond that wait
            their turn, they are not dropped.
          </li>
          <li>Deleting or disabling a webhook stops its pending retries: no further attempt is sent.</li>
        </List>
        <P>
          The timings on this page are this deployment&apos;s settings (<C>WEBHOOK_RETRY_SCHEDULE</C>,{" "}
          <C>WEBHOOK_TIMEOUT_MS</C> and the other variables listed in the README). By default: 8 attempts over about
          27.6 hours, with a {formatMs(15_000)} timeout.
        </P>
      </Section>

      <Section id="failures" title="Failures and auto-disable">
        <P>
          A delivery fails when its last automatic attempt fails (or at once on <C>410</C>); a failed test event or
          replay counts as well. Each webhook shows a <strong>failure count</strong>: the number of consecutive failed
          deliveries, reset to 0 by any success.
        </P>
        <P>
          An endpoint that keeps failing is disabled automatically, with the reason shown on the Webhooks page and in
          the API, when:
        </P>
        <List>
          <li>{s.disableAfterFailures} consecutive deliveries have failed, or</li>
          <li>every delivery has failed for {s.disableAfterDays} days, or</li>
          <li>
            it answered <C>410 Gone</C>.
          </li>
        </List>
        <P>
          A disabled webhook (<C>isActive: false</C>) receives no new events and its scheduled retries are cancelled.
          Events that happen while it is disabled are not delivered to it later. You can still send it test events and
          replays to check a fix.
        </P>
        <P>
          To re-enable it, switch it on from its page or <C>PATCH /api/v1/webhooks/:id</C> with{" "}
          <C>{'{"isActive": true}'}</C>. We <A href="#probe">probe</A> the endpoint first: if the probe fails, it stays
          disabled and the answer says why. Re-enabling resets the failure count.
        </P>
      </Section>

      <Section id="probe" title="The endpoint probe">
        <P>
          When a webhook is created, when its URL changes and when it is re-enabled, we send a signed <C>POST</C> of
          type <C>{PROBE_EVENT_TYPE}</C>. Your endpoint must answer <C>2xx</C> within {formatMs(s.probeTimeoutMs)};
          otherwise the change is refused with a <C>400</C> that says why (the status code you answered, a timeout, a
          TLS error, a refused connection or a blocked address). Probes are not delivery-logged and are not retried.
        </P>
        <CodeBlock caption="Probe body" copyLabel="Copy probe body" code={prettyJson(exampleProbeBody())} />
        <Callout title="The creation probe cannot be verified yet">
          <p>
            It is signed with the new secret, which you only receive in the response that creates the webhook.
            Acknowledge a <C>{PROBE_EVENT_TYPE}</C> whose signature you cannot check with <C>2xx</C>, and take no action
            on it (the examples above do this). Probes after a URL change or a re-enable are signed with the current
            secret and verify normally. Do not act on probes; ignore their type in your event handling.
          </p>
        </Callout>
      </Section>

      <Section id="test-events" title="Test events">
        <P>
          Send a test from the webhook&apos;s page (<em>Send test event</em>) or with{" "}
          <C>POST /api/v1/webhooks/:id/test</C> and <C>{'{"event": "call.ended"}'}</C>. Any type of the catalog works,
          subscribed or not. The body is that type&apos;s example payload from the{" "}
          <A href="/docs/events">event catalog</A>, with the current time and <C>{'"test": true'}</C>:
        </P>
        <CodeBlock caption="A test event's body" copyLabel="Copy test event body" code={testBody} />
        <List>
          <li>
            It is signed like any delivery and has its own <C>webhook-id</C>.
          </li>
          <li>
            It appears in the delivery log as <C>kind: &quot;test&quot;</C>, with your endpoint&apos;s response.
          </li>
          <li>It is sent once and never retried. It is sent even to a disabled webhook.</li>
          <li>
            Check <C>test</C> before side effects such as writing to your CRM: test payloads are synthetic.
          </li>
        </List>
      </Section>

      <Section id="replay" title="Replaying a delivery">
        <P>
          Fixed your endpoint? Replay a failed delivery with one click in the delivery log, or with{" "}
          <C>POST /api/v1/webhooks/:id/deliveries/:deliveryId/replay</C>. A replay:
        </P>
        <List>
          <li>
            re-sends the original body byte for byte, with the{" "}
            <strong>
              same <C>webhook-id</C>
            </strong>{" "}
            (if you already processed that message, your deduplication skips it, which is what you want);
          </li>
          <li>goes to the webhook&apos;s current URL, signed with its current secret and a fresh timestamp;</li>
          <li>
            is sent once and never retried, and is logged as a new delivery with <C>kind: &quot;replay&quot;</C> linked
            to the original;
          </li>
          <li>leaves the original delivery&apos;s attempts and schedule untouched;</li>
          <li>counts against the API rate limit ({s.apiRateLimitPerMinute} requests per minute per workspace).</li>
        </List>
      </Section>

      <Section id="rotation" title="Rotating the secret">
        <P>
          Rotate a secret you suspect has leaked, or on a schedule, from the webhook&apos;s page or with{" "}
          <C>POST /api/v1/webhooks/:id/rotate-secret</C>. The new secret is shown once.
        </P>
        <Callout tone="warning" title="The old secret stops working immediately">
          <p>
            Every attempt after the rotation, including retries of older messages, is signed with the new secret only.
            Prepare your handler to read the new secret before you rotate, and deploy it right after. Deliveries that
            fail verification in between are not lost: they are retried on the schedule, and you can replay them from
            the log.
          </p>
        </Callout>
      </Section>

      <Section id="logs" title="Delivery logs">
        <P>Every delivery is logged with:</P>
        <List>
          <li>
            the payload exactly as sent, its <C>webhook-id</C>, event type and kind (<C>event</C>, <C>test</C> or{" "}
            <C>replay</C>);
          </li>
          <li>
            the last response: status code, headers and the first {formatBytes(RESPONSE_BODY_LIMIT_BYTES)} of the body
            (flagged when cut), and its duration in milliseconds;
          </li>
          <li>every attempt (time, status code, duration, error) and the time of the next one.</li>
        </List>
        <P>
          Filter them by outcome on the webhook&apos;s page or with{" "}
          <C>GET /api/v1/webhooks/:id/deliveries?success=false</C>. Logs are kept for {s.retentionDays} days, then
          purged, including those of deleted webhooks. Deleting a webhook stops its pending attempts at once.
        </P>
      </Section>

      <Section id="security" title="Network and TLS">
        <List>
          <li>
            <strong>HTTPS only.</strong> URLs must start with <C>https://</C>, carry no credentials (<C>user:pass@</C>)
            and be at most {MAX_URL_LENGTH} characters.
          </li>
          <li>
            <strong>Certificates are always verified</strong> against the public root authorities bundled with Node.js
            (TLS 1.2 or newer, SNI). Self-signed and private-CA certificates fail with a TLS error: use a certificate
            from a public CA, such as Let&apos;s Encrypt.
          </li>
          <li>
            <strong>Public addresses only.</strong> Every time we open a connection we resolve the host and refuse it if
            any of its addresses is private (10/8, 172.16/12, 192.168/16), loopback, link-local (169.254/16, including
            cloud metadata), shared (100.64/10), unspecified, multicast, reserved or for documentation, or an IPv6
            unique-local, link-local or loopback address, or an IPv4-mapped, 6to4 or NAT64 form of those. We then
            connect only to the addresses we checked, so DNS rebinding cannot slip past. IP literals are checked in
            every notation.
          </li>
          <li>
            <strong>Redirects are never followed</strong>: a <C>3xx</C> is a failed attempt.
          </li>
          <li>
            <strong>Source addresses.</strong> Deliveries come from this deployment&apos;s servers, whose addresses are
            not guaranteed to stay the same. Authenticate requests by their signature, not by IP address.
          </li>
        </List>
      </Section>

      <Section id="api" title="API reference">
        <P>
          Manage webhooks, send test events, read logs and replay deliveries over the REST API, with an{" "}
          <A href="/api-keys">API key</A> as <C>Authorization: Bearer &lt;key&gt;</C>.
        </P>
        <List>
          <li>
            <A href={OPENAPI_PATH}>OpenAPI 3.1 document</A> (<C>{OPENAPI_PATH}</C>): every <C>/api/v1</C> route, its
            parameters and responses.
          </li>
          <li>
            <C>GET {EVENT_TYPES_PATH}</C>: the event catalog with each type&apos;s JSON Schema and example, for code
            generation.
          </li>
          <li>
            Rate limit: {s.apiRateLimitPerMinute} requests per minute per workspace, reported in <C>RateLimit-*</C>{" "}
            headers; over it, <C>429</C> with <C>Retry-After</C>.
          </li>
        </List>
      </Section>
    </DocsShell>
  );
}
