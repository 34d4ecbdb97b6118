import { C, Callout, CodeBlock, P, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";
import { exampleProbeBody, prettyJson } from "@/lib/docs/examples";
import { formatMs } from "@/lib/docs/facts";
import { PROBE_EVENT_TYPE } from "@/lib/events/catalog";

export function ProbeSection({ s }: ProtocolFacts) {
  return (
    <Section id="probe" title="The endpoint probe">
      <P>
        When a webhook is created, when its URL changes and when it is re-enabled, we send a signed <C>POST</C> of type{" "}
        <C>{PROBE_EVENT_TYPE}</C>. Your endpoint must answer <C>2xx</C> within {formatMs(s.probeTimeoutMs)}; otherwise
        the change is refused with a <C>400</C> that says why (the status code you answered, a timeout, a TLS error, a
        refused connection or a blocked address). Probes are not delivery-logged and are not retried.
      </P>
      <CodeBlock caption="Probe body" copyLabel="Copy probe body" code={prettyJson(exampleProbeBody())} />
      <Callout title="The creation probe cannot be verified yet">
        <p>
          It is signed with the new secret, which you only receive in the response that creates the webhook. Acknowledge
          a <C>{PROBE_EVENT_TYPE}</C> whose signature you cannot check with <C>2xx</C>, and take no action on it (the
          examples above do this). Probes after a URL change or a re-enable are signed with the current secret and
          verify normally. Do not act on probes; ignore their type in your event handling.
        </p>
      </Callout>
    </Section>
  );
}
