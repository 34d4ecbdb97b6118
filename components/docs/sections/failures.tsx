import { A, C, List, P, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";

export function FailuresSection({ s }: ProtocolFacts) {
  return (
    <Section id="failures" title="Failures and auto-disable">
      <P>
        A delivery fails when its last automatic attempt fails (or at once on <C>410</C>); a failed test event counts as
        well. Each webhook shows a <strong>failure count</strong>: the number of consecutive failed deliveries, reset to
        0 by any success. <strong>Replays never count</strong>: a replay (single, or part of a{" "}
        <A href="#replay">recovery</A>) that fails is logged on its own delivery but leaves the failure count and the
        auto-disable clock alone, while a replay that succeeds resets them, since it proves your endpoint is up.
      </P>
      <P>
        An endpoint that keeps failing is disabled automatically, with the reason shown on the Webhooks page and in the
        API, when:
      </P>
      <List>
        <li>{s.disableAfterFailures} consecutive deliveries have failed, or</li>
        <li>every delivery has failed for {s.disableAfterDays} days, or</li>
        <li>
          it answered <C>410 Gone</C> (to any delivery, replays included).
        </li>
      </List>
      <P>
        A disabled webhook (<C>isActive: false</C>) receives no new events and its scheduled retries are cancelled.
        Events that happen while it is disabled are not delivered to it later. You can still send it test events,
        replays and recoveries to check a fix.
      </P>
      <P>
        To re-enable it, switch it on from its page or <C>PATCH /api/v1/webhooks/:id</C> with{" "}
        <C>{'{"isActive": true}'}</C>. We <A href="#probe">probe</A> the endpoint first: if the probe fails, it stays
        disabled and the answer says why. Re-enabling resets the failure count.
      </P>
    </Section>
  );
}
