import { C, List, P, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";

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
        <li>counts against the API rate limit ({s.apiRateLimitPerMinute} requests per minute per workspace).</li>
      </List>
    </Section>
  );
}
