import { A, C, List, P, Section } from "@/components/docs/ui";
import type { ProtocolFacts } from "@/components/docs/sections/facts";
import { EVENT_TYPES_PATH, OPENAPI_PATH } from "@/lib/docs/facts";

export function ApiSection({ s }: ProtocolFacts) {
  return (
    <Section id="api" title="API reference">
      <P>
        Manage webhooks, send test events, read logs and replay deliveries over the REST API, with an{" "}
        <A href="/api-keys">API key</A> as <C>Authorization: Bearer &lt;key&gt;</C>.
      </P>
      <List>
        <li>
          <A href={OPENAPI_PATH}>OpenAPI 3.1 document</A> (<C>{OPENAPI_PATH}</C>): every <C>/api/v1</C> route, its
          parameters and responses.
        </li>
        <li>
          <C>GET {EVENT_TYPES_PATH}</C>: the event catalog with each type&apos;s JSON Schema and example, for code
          generation.
        </li>
        <li>
          Rate limit: {s.apiRateLimitPerMinute} requests per minute per workspace, reported in <C>RateLimit-*</C>{" "}
          headers; over it, <C>429</C> with <C>Retry-After</C>.
        </li>
      </List>
    </Section>
  );
}
