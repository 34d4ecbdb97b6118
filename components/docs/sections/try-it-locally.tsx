import { A, C, CodeBlock, List, P, Section } from "@/components/docs/ui";

/**
 * The two-terminal trial with `npm run receiver`, the local HTTPS test
 * endpoint (scripts/receiver): nothing to deploy, no certificate to buy.
 */
export function TryItLocallySection() {
  return (
    <Section id="try-it-locally" title="Try it locally">
      <P>
        You can watch real, signed deliveries on your own machine before you deploy a handler. Run the app and the local
        test receiver in two terminals:
      </P>
      <CodeBlock caption="Terminal 1" copyLabel="Copy npm run dev" code="npm run dev" />
      <CodeBlock caption="Terminal 2" copyLabel="Copy npm run receiver" code="npm run receiver" />
      <List ordered>
        <li>
          The receiver prints its URL, <C>https://127.0.0.1:&lt;port&gt;/</C>.
        </li>
        <li>
          Create an endpoint with that URL on the <A href="/webhooks">Webhooks</A> page, and copy the signing secret it
          shows once.
        </li>
        <li>
          Restart the receiver with <C>npm run receiver -- --secret whsec_…</C> (or paste the secret when it asks for
          it), then press <em>Send test event</em> on the webhook&apos;s page.
        </li>
        <li>
          Each delivery prints one line: the event type, its <C>webhook-id</C>, the attempt number and whether the
          signature verified.
        </li>
      </List>
      <P>
        To watch retries and replays, make the receiver misbehave: <C>--status &lt;code&gt;</C> answers with that status
        code, <C>--delay-ms &lt;n&gt;</C> waits before answering, and <C>--fail-rate &lt;0..1&gt;</C> fails that share
        of deliveries.
      </P>
      <P>
        This works because <C>npm run dev</C> trusts the receiver&apos;s local certificate authority and allows exactly
        its address, in development only (it says so in one start-up line). A production server (
        <C>NODE_ENV=production</C>) never does: there, endpoints need a public HTTPS address with a certificate from a
        public authority.
      </P>
    </Section>
  );
}
