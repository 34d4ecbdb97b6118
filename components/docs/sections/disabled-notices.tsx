import { A, C, List, P, Section } from "@/components/docs/ui";

/** What happens when an endpoint is disabled automatically: banner, email, operational webhook (issue 14). */
export function DisabledNoticesSection() {
  return (
    <Section id="disabled-notices" title="When an endpoint is disabled">
      <P>
        An endpoint disabled automatically (see <A href="#failures">failures and auto-disable</A>) is announced three
        ways, so nobody has to visit its page to notice:
      </P>
      <List>
        <li>
          <strong>A banner on every dashboard page</strong> of the workspace, naming the endpoint and the reason, with{" "}
          <strong>Probe and re-enable</strong> (the same re-enable as on its page: we probe it first, and it stays
          disabled if the probe fails) and <strong>Dismiss</strong>. Dismissal is per workspace: one member dismissing
          it hides it for everyone. Re-enabling ends it too, and a later automatic disable of the same endpoint shows a
          new banner. The same list is <C>GET /api/v1/notices</C>; dismiss with <C>POST /api/v1/notices/:id/dismiss</C>.
        </li>
        <li>
          <strong>An email to every member of the workspace</strong>, when the server has SMTP configured (
          <C>SMTP_URL</C>, <C>MAIL_FROM</C>): which endpoint, why, when, and a link to it. It is sent by a background
          job, retried up to 8 times, so a mail server that is down delays it without affecting deliveries.
        </li>
        <li>
          <strong>
            A signed <C>webhook.disabled</C> event to your operational webhook
          </strong>
          , if you set one (below).
        </li>
      </List>
      <P>
        <strong>The operational webhook</strong> is one optional HTTPS endpoint per workspace, separate from your
        subscriptions, that receives the platform&apos;s{" "}
        <A href="/docs/events#operational-events">operational events</A>: <C>webhook.disabled</C> when an endpoint is
        disabled automatically and <C>webhook.recovered</C> when a recovery of failed deliveries finishes. Set it in the
        dashboard (API keys page, &quot;Operational webhook&quot;) or with <C>PUT /api/v1/operational-webhook</C>{" "}
        <C>{'{"url": "https://…"}'}</C>; read it with <C>GET</C> and remove it with <C>DELETE</C>. Like a webhook, its
        URL is probed first, and it has <strong>its own signing secret</strong>, shown once when it is created (remove
        it and set it again for a new one). Operational events are signed exactly like deliveries (
        <A href="#signatures">Standard Webhooks</A>: <C>webhook-id</C>, <C>webhook-timestamp</C>,{" "}
        <C>webhook-signature</C>), verified with that secret. Anything but a 2xx is retried up to 8 times with backoff,
        with the same <C>webhook-id</C>; a <C>410</C> stops that event. They do not appear in any delivery log, and no
        webhook can subscribe to them.
      </P>
    </Section>
  );
}
