import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { Providers } from "@/components/providers";
import { cspNonce } from "@/lib/security/nonce";
import { readTheme } from "@/lib/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Akol Webhooks", template: "%s · Akol Webhooks" },
  description: "Signed, retried, observable webhooks for the Akol voice assistant.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Reading the CSP nonce (proxy.ts) makes every page render per request, so Next.js can put it on its
  // scripts. We render no inline script of our own: the theme needs none (see below).
  await cspNonce();
  // an explicit theme choice (cookie) is a class on <html>; without one, CSS follows prefers-color-scheme
  const theme = await readTheme();
  return (
    <html lang="en" className={theme === "system" ? undefined : theme}>
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
