import { A, C, DocTable, List, P, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";
import { RETRY_JITTER_PERCENT, formatDuration, formatMs } from "@/lib/docs/facts";

export function RetriesSection({ s, attempts, windowHours, rows }: ProtocolFacts) {
  return (
    <Section id="retries" title="Retries">
      <P>
        A message that fails is retried on this schedule (each delay moves by up to ±{RETRY_JITTER_PERCENT} % so that
        retries of many messages do not arrive together):
      </P>
      <DocTable
        caption={`Retry schedule: ${attempts} attempts over about ${windowHours} hours`}
        columns={["Attempt", "Delay after the previous attempt", "Time since the first attempt"]}
        rows={rows.map((r) => ({
          key: String(r.attempt),
          cells: [
            String(r.attempt),
            r.attempt === 1 ? "Immediately" : formatDuration(r.delaySeconds),
            r.attempt === 1 ? "—" : formatDuration(r.afterFirstSeconds),
          ],
        }))}
      />
      <List>
        <li>
          After attempt {attempts} fails, the delivery is marked failed. It stays in the log, where you can{" "}
          <A href="#replay">replay</A> it.
        </li>
        <li>
          Every attempt sends the same body with the same <C>webhook-id</C>, to the webhook&apos;s current URL, signed
          with its current secret and a new <C>webhook-timestamp</C>.
        </li>
        <li>
          Attempts are scheduled durably: a restart on our side loses none of them. The flip side of at-least-once
          delivery is that you may, rarely, see a message twice even after answering <C>2xx</C>; deduplicate on{" "}
          <C>webhook-id</C>.
        </li>
        <li>
          Messages are not ordered: a retry can arrive after newer events. Use the body&apos;s <C>timestamp</C> (and the
          ids in <C>data</C>) to order them.
        </li>
        <li>
          We send at most {s.deliveryRatePerSecond} deliveries per second to one endpoint; bursts beyond that wait their
          turn, they are not dropped.
        </li>
        <li>Deleting or disabling a webhook stops its pending retries: no further attempt is sent.</li>
      </List>
      <P>
        The timings on this page are this deployment&apos;s settings (<C>WEBHOOK_RETRY_SCHEDULE</C>,{" "}
        <C>WEBHOOK_TIMEOUT_MS</C> and the other variables listed in the README). By default: 8 attempts over about 27.6
        hours, with a {formatMs(15_000)} timeout.
      </P>
    </Section>
  );
}
