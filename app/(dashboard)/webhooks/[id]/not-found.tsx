import { WebhookNotFound } from "@/components/webhooks/webhook-not-found";

/** /webhooks/:id of a webhook this workspace never had (or whose log was purged): HTTP 404. */
export default function NotFound() {
  return <WebhookNotFound />;
}
