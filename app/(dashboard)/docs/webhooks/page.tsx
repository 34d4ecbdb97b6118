import type { Metadata } from "next";
import { ProtocolDoc } from "@/components/docs/protocol-doc";
import { docsSettings } from "@/lib/docs/facts";

export const metadata: Metadata = {
  title: "Webhook protocol",
  description: "Headers, signatures, retries, status handling, test events and replay of Akol webhook deliveries.",
};

export default function Page() {
  return <ProtocolDoc s={docsSettings()} />;
}
