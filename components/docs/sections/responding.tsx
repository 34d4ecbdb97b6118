import { A, C, DocTable, P, Section, withPhoneColumn } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";
import {
  CONNECT_TIMEOUT_MS,
  RESPONSE_BODY_LIMIT_BYTES,
  RETRY_AFTER_CAP_SECONDS,
  formatBytes,
  formatDuration,
  formatMs,
} from "@/lib/docs/facts";

export function RespondingSection({ timeout }: ProtocolFacts) {
  return (
    <Section id="responding" title="Responses and status codes">
      <P>
        Answer as soon as you have verified and stored the event, then do the slow work in the background. Only the
        status code matters to us; the response headers and the first {formatBytes(RESPONSE_BODY_LIMIT_BYTES)} of the
        body are kept in the delivery log to help you debug.
      </P>
      <DocTable
        caption="How each outcome of an attempt is handled"
        columns={["Your endpoint", "Outcome", "What happens next"]}
        hideOnPhone={[1]}
        rows={withPhoneColumn(
          [
            {
              key: "2xx",
              cells: [
                <C key="s">2xx</C>,
                "Success",
                "The delivery is done. Your endpoint's failure count goes back to 0.",
              ],
            },
            {
              key: "3xx",
              cells: [
                <C key="s">3xx</C>,
                "Failure",
                "Redirects are never followed (they could lead to an internal address). Retried on the schedule; change the webhook's URL to the final one instead.",
              ],
            },
            {
              key: "410",
              cells: [
                <C key="s">410 Gone</C>,
                "Failure",
                "You asked us to stop: no more retries, and the endpoint is disabled at once with the reason shown. Re-enable it when it is ready again.",
              ],
            },
            {
              key: "429",
              cells: [
                <>
                  <C>429</C> or <C>503</C> with <C>Retry-After</C>
                </>,
                "Failure",
                <>
                  <C>Retry-After</C> (seconds or an HTTP date) can only delay the next attempt: it waits the longer of
                  the scheduled delay and <C>Retry-After</C>, which counts up to{" "}
                  {formatDuration(RETRY_AFTER_CAP_SECONDS)}. It never brings an attempt sooner and does not add
                  attempts.
                </>,
              ],
            },
            {
              key: "4xx5xx",
              cells: [
                <>
                  Any other <C>4xx</C> or <C>5xx</C>
                </>,
                "Failure",
                <>
                  Retried on the schedule. This includes a <C>400</C> for a bad signature, and <C>429</C>/<C>503</C>{" "}
                  without <C>Retry-After</C>.
                </>,
              ],
            },
            {
              key: "timeout",
              cells: [
                "No answer in time",
                "Failure",
                <>
                  Timeout: the whole exchange (connect, headers, body) must finish within {timeout}, and connecting
                  within {formatMs(CONNECT_TIMEOUT_MS)}. Retried.
                </>,
              ],
            },
            {
              key: "network",
              cells: [
                "TLS, connection or DNS error",
                "Failure",
                "An invalid, expired or self-signed certificate, a host name mismatch, a refused or reset connection, or a host that does not resolve. Retried.",
              ],
            },
            {
              key: "blocked",
              cells: [
                "Blocked address",
                "Failure",
                <>
                  The host resolved to a private or reserved address when we connected (see{" "}
                  <A href="#security">Network and TLS</A>). Retried.
                </>,
              ],
            },
          ],
          1,
        )}
      />
      <P>Test events and replays are sent once: whatever the outcome, they are never retried.</P>
    </Section>
  );
}
