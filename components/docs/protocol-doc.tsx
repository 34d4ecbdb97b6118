import { DocsShell, type TocItem } from "@/components/docs/docs-shell";
import { ApiSection } from "@/components/docs/sections/api";
import { DisabledNoticesSection } from "@/components/docs/sections/disabled-notices";
import { FailuresSection } from "@/components/docs/sections/failures";
import { protocolFacts, STANDARD_WEBHOOKS } from "@/components/docs/sections/facts";
import { LogsSection } from "@/components/docs/sections/logs";
import { OverviewSection } from "@/components/docs/sections/overview";
import { ProbeSection } from "@/components/docs/sections/probe";
import { ReplaySection } from "@/components/docs/sections/replay";
import { RequestSection } from "@/components/docs/sections/request";
import { RespondingSection } from "@/components/docs/sections/responding";
import { RetriesSection } from "@/components/docs/sections/retries";
import { RotationSection } from "@/components/docs/sections/rotation";
import { SecuritySection } from "@/components/docs/sections/security";
import { SignaturesSection } from "@/components/docs/sections/signatures";
import { TestEventsSection } from "@/components/docs/sections/test-events";
import { TryItLocallySection } from "@/components/docs/sections/try-it-locally";
import { A } from "@/components/docs/ui";
import type { DocsSettings } from "@/lib/docs/facts";

export const PROTOCOL_TOC: TocItem[] = [
  { id: "overview", title: "At a glance" },
  { id: "try-it-locally", title: "Try it locally" },
  { id: "request", title: "The request" },
  { id: "signatures", title: "Verifying signatures" },
  { id: "responding", title: "Responses and status codes" },
  { id: "retries", title: "Retries" },
  { id: "failures", title: "Failures and auto-disable" },
  { id: "disabled-notices", title: "When an endpoint is disabled" },
  { id: "probe", title: "The endpoint probe" },
  { id: "test-events", title: "Test events" },
  { id: "replay", title: "Replaying a delivery" },
  { id: "rotation", title: "Rotating the secret" },
  { id: "logs", title: "Delivery logs" },
  { id: "security", title: "Network and TLS" },
  { id: "api", title: "API reference" },
];

/** The protocol page (/docs/webhooks): one component per section, in components/docs/sections/. */
export function ProtocolDoc({ s }: { s: DocsSettings }) {
  const facts = protocolFacts(s);
  return (
    <DocsShell
      current="/docs/webhooks"
      title="Webhook protocol"
      toc={PROTOCOL_TOC}
      intro={
        <>
          How Akol delivers events to your endpoint: what we send, how to check it came from us, and what happens when
          your endpoint is down. Deliveries follow the <A href={STANDARD_WEBHOOKS}>Standard Webhooks</A> specification,
          so the official libraries verify them unchanged.
        </>
      }
    >
      <OverviewSection {...facts} />
      <TryItLocallySection />
      <RequestSection />
      <SignaturesSection />
      <RespondingSection {...facts} />
      <RetriesSection {...facts} />
      <FailuresSection {...facts} />
      <DisabledNoticesSection />
      <ProbeSection {...facts} />
      <TestEventsSection />
      <ReplaySection {...facts} />
      <RotationSection />
      <LogsSection {...facts} />
      <SecuritySection />
      <ApiSection {...facts} />
    </DocsShell>
  );
}
