import { A, C, CodeBlock, List, P, Section } from "@/components/docs/ui";
import { exampleEnvelope, prettyJson } from "@/lib/docs/examples";
import { CATALOG } from "@/lib/events/catalog";

export function TestEventsSection() {
  const callEnded = CATALOG.find((d) => d.type === "call.ended") ?? CATALOG[0];
  const testBody = callEnded ? prettyJson(exampleEnvelope(callEnded, { test: true })) : "";
  return (
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
  );
}
