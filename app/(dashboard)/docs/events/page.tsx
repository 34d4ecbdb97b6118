import type { Metadata } from "next";
import { EventCatalogDoc } from "@/components/docs/event-catalog-doc";

export const metadata: Metadata = {
  title: "Event catalog",
  description: "Every Akol webhook event type, its fields and an example payload.",
};

export default function Page() {
  return <EventCatalogDoc />;
}
