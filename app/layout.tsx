import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { cspNonce } from "@/lib/security/nonce";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Akol Webhooks", template: "%s · Akol Webhooks" },
  description: "Signed, retried, observable webhooks for the Akol voice assistant.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request, so Next.js can put this request's CSP nonce (proxy.ts) on its scripts.
  // An inline script of ours (e.g. a pre-paint theme script) takes it too: <script nonce={nonce}>.
  const nonce = await cspNonce();
  void nonce;
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
