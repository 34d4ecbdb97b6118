import { C, H3, List, P, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";
import { MAX_RECOVERY_DAYS, MAX_RECOVERY_DELIVERIES } from "@/lib/recovery/schemas";

export function ReplaySection({ s }: ProtocolFacts) {
  return (
    <Section id="replay" title="Replaying a delivery">
      <P>
        Fixed your endpoint, or lost what it stored? Replay any finished delivery (succeeded, failed or cancelled) with
        one click in the delivery log, or with <C>POST /api/v1/webhooks/:id/deliveries/:deliveryId/replay</C>. A replay:
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
          is sent once and never retried, and is logged as a new delivery with <C>kind: &quot;replay&quot;</C> linked to
          the original;
        </li>
        <li>leaves the original delivery&apos;s attempts and schedule untouched;</li>
        <li>counts against the API rate limit ({s.apiRateLimitPerMinute} requests per minute per workspace);</li>
        <li>
          never counts toward auto-disable: a failed replay leaves the failure count alone, a successful one resets it.
        </li>
      </List>
      <H3 id="recover">Recovering an outage</H3>
      <P>
        After your endpoint was down, replay everything that failed in one action:{" "}
        <strong>Recover failed deliveries…</strong> on the webhook&apos;s page (pick the last hour, 24 hours, 7 days or
        a custom range; it shows how many will be sent before you confirm, then the progress), or{" "}
        <C>{'POST /api/v1/webhooks/:id/recover {"since": "2026-11-30T10:00:00Z", "until": "…"}'}</C>. It replays, once
        each and oldest first, every event delivery created in <C>[since, until)</C> that had failed when the recovery
        started (skipping any a replay had already delivered), each as a replay like above, paced at your
        endpoint&apos;s delivery rate.
      </P>
      <List>
        <li>
          <C>until</C> defaults to now; <C>since</C> must be before <C>until</C>, neither in the future, and at most{" "}
          {MAX_RECOVERY_DAYS} days back; one recovery replays at most {MAX_RECOVERY_DELIVERIES.toLocaleString("en-US")}{" "}
          deliveries.
        </li>
        <li>
          It answers <C>202</C> with the recovery; follow it with <C>GET /api/v1/webhooks/:id/recoveries/:recoveryId</C>{" "}
          (<C>status</C>, <C>total</C>, <C>sent</C>, <C>succeeded</C>, <C>failed</C>).{" "}
          <C>GET /api/v1/webhooks/:id/recover?since=…</C> only counts (a dry run), and{" "}
          <C>GET /api/v1/webhooks/:id/recoveries</C> lists the latest recoveries.
        </li>
        <li>
          One recovery per endpoint at a time: another is refused with <C>409</C> while one runs. It counts once against
          the rate limit, survives a restart of our servers without re-sending what was sent, and stops if the webhook
          is deleted.
        </li>
      </List>
    </Section>
  );
}
