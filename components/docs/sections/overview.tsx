import { A, C, H3, List, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";

export function OverviewSection({ timeout, attempts, windowHours }: ProtocolFacts) {
  return (
    <Section id="overview" title="At a glance">
      <List>
        <li>
          Every event is an HTTPS <C>POST</C> of a JSON body <C>{"{type, timestamp, data}"}</C> to your URL, signed with
          your endpoint&apos;s secret in the <C>webhook-signature</C> header.
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
          Deploy a handler like the <A href="#signatures">examples below</A>. It must answer <C>2xx</C> to the probe we
          send while creating the webhook.
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
  );
}
