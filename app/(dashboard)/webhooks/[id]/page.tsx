import { Suspense } from "react";
import { WebhookDetailPage } from "@/components/webhooks/webhook-detail-page";

export const metadata = { title: "Webhook" };

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // the delivery log reads its filters from the URL (useSearchParams)
  return (
    <Suspense fallback={<p className="text-sm text-slate-500">Loading webhook…</p>}>
      <WebhookDetailPage id={id} />
    </Suspense>
  );
}
