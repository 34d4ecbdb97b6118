import { A, C, Callout, CodeBlock, H3, List, P, Section } from "@/components/docs/ui";
import { EXAMPLE_ATTEMPT_SECONDS, EXAMPLE_MESSAGE_ID, EXAMPLE_SECRET, exampleDelivery } from "@/lib/docs/examples";
import { TIMESTAMP_TOLERANCE_SECONDS } from "@/lib/docs/facts";
import { MANUAL_NODE_SNIPPET, SNIPPETS } from "@/lib/docs/snippets";
import { LIBRARIES } from "@/components/docs/sections/facts";

export function SignaturesSection() {
  const example = exampleDelivery();
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
        The official <A href={LIBRARIES}>Standard Webhooks libraries</A> do all of this. Pass them the secret exactly as
        shown (<C>whsec_…</C>): the Node.js, Python and Go libraries strip the prefix themselves. Each example below is
        a complete server that verifies before parsing, deduplicates on <C>webhook-id</C>, and acknowledges the
        creation-time <A href="#probe">probe</A>.
      </P>
      {SNIPPETS.map((snippet) => (
        <div key={snippet.id} className="space-y-3">
          <H3 id={`verify-${snippet.id}`}>{snippet.language}</H3>
          <CodeBlock caption="Install" copyLabel={`Copy ${snippet.language} install command`} code={snippet.install} />
          <CodeBlock caption={snippet.filename} copyLabel={`Copy ${snippet.language} example`} code={snippet.code} />
        </div>
      ))}
      <H3 id="verify-manual">Other languages, or by hand</H3>
      <P>
        The <A href={LIBRARIES}>Standard Webhooks libraries</A> also cover PHP, Ruby, Java, C#, Rust and Elixir. Without
        a library, the whole check is a few lines:
      </P>
      <CodeBlock
        caption={MANUAL_NODE_SNIPPET.filename}
        copyLabel="Copy verification function"
        code={MANUAL_NODE_SNIPPET.code}
      />
      <H3 id="test-vector">Test vector</H3>
      <P>
        Check your implementation against a known answer. This secret is for documentation only; the timestamp is in the
        past, so a library will reject it as too old unless you verify with its <C>sign</C> function or a fixed clock.
      </P>
      <CodeBlock caption="Known answer" copyLabel="Copy test vector" code={vector} />
    </Section>
  );
}
