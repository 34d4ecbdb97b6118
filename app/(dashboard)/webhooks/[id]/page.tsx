import { HydrationBoundary } from "@tanstack/react-query";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { WebhookDetailPage } from "@/components/webhooks/webhook-detail-page";
import { DetailSkeleton } from "@/components/webhooks/detail-skeleton";
import { prefetchWebhookDetail, sessionWorkspace } from "@/components/webhooks/prefetch";

export const metadata = { title: "Webhook" };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * The first view (the webhook, its health, the log page the URL asks for) is
 * read on the server in the session's workspace and handed to React Query;
 * another workspace's webhook (or one never created) is a 404. A deleted
 * webhook whose log is still retained renders its read-only log.
 */
export default async function Page({ params, searchParams }: Props) {
  const [{ id }, search] = await Promise.all([params, searchParams]);
  const prefetched = await prefetchWebhookDetail(await sessionWorkspace(), id, search);
  if (prefetched.kind === "not-found") notFound();
  // the delivery log reads its filters from the URL (useSearchParams)
  const page = (
    <Suspense fallback={<DetailSkeleton />}>
      <WebhookDetailPage id={id} />
    </Suspense>
  );
  return prefetched.kind === "webhook" ? <HydrationBoundary state={prefetched.state}>{page}</HydrationBoundary> : page;
}
