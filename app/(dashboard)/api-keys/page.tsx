import { ApiKeysPage } from "@/components/api-keys/api-keys-page";
import { OperationalWebhookSection } from "@/components/operational/operational-webhook-section";

export const metadata = { title: "API keys" };

export default function Page() {
  return (
    <>
      <ApiKeysPage />
      <OperationalWebhookSection />
    </>
  );
}
