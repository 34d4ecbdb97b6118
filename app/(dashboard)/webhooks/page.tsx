import { HydrationBoundary } from "@tanstack/react-query";
import { prefetchWebhookList, sessionWorkspace } from "@/components/webhooks/prefetch";
import { WebhooksPage } from "@/components/webhooks/webhooks-page";

export const metadata = { title: "Webhooks" };

/** The list (with its sparklines) is read on the server in the session's workspace and handed to React Query. */
export default async function Page() {
  return (
    <HydrationBoundary state={await prefetchWebhookList(await sessionWorkspace())}>
      <WebhooksPage />
    </HydrationBoundary>
  );
}
