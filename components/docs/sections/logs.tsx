import { C, List, P, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";
import { RESPONSE_BODY_LIMIT_BYTES, formatBytes } from "@/lib/docs/facts";

export function LogsSection({ s }: ProtocolFacts) {
  return (
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
        <C>GET /api/v1/webhooks/:id/deliveries?success=false</C>. Logs are kept for {s.retentionDays} days, then purged,
        including those of deleted webhooks. Deleting a webhook stops its pending attempts at once; its log stays
        readable until then, from <em>Deleted endpoints</em> under the webhooks list, or with{" "}
        <C>GET /api/v1/webhooks/deleted</C> (the deleted webhooks whose logs are kept) and{" "}
        <C>GET /api/v1/webhooks/:id/deliveries</C>.
      </P>
    </Section>
  );
}
