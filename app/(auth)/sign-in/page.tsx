import { Suspense } from "react";
import { AuthForm } from "@/components/auth/auth-form";
import { appOrigin } from "@/lib/env";

export const dynamic = "force-dynamic";

export const metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <Suspense>
      <AuthForm mode="sign-in" appOrigin={appOrigin()} />
    </Suspense>
  );
}
