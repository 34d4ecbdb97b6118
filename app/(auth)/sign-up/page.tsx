import { Suspense } from "react";
import { AuthForm } from "@/components/auth/auth-form";
import { appOrigin } from "@/lib/env";

export const dynamic = "force-dynamic";

export const metadata = { title: "Create account" };

export default function SignUpPage() {
  return (
    <Suspense>
      <AuthForm mode="sign-up" appOrigin={appOrigin()} />
    </Suspense>
  );
}
