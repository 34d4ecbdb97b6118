"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { apiFetch, ApiClientError } from "@/lib/client/fetcher";

/** Sign-in and sign-up share one form; sign-up creates the account (and workspace) then signs in. */
export function AuthForm({ mode }: { mode: "sign-in" | "sign-up" }) {
  const router = useRouter();
  const params = useSearchParams();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    setFieldErrors({});
    try {
      if (mode === "sign-up") {
        await apiFetch("/api/auth/sign-up", {
          method: "POST",
          body: { email, password, name: String(form.get("name") ?? "") || undefined },
        });
      }
      const res = await signIn("credentials", { email, password, redirect: false });
      if (!res || res.error) {
        setError("Email or password is incorrect.");
        return;
      }
      const next = params.get("callbackUrl");
      router.replace(next && next.startsWith("/") && !next.startsWith("//") ? next : "/webhooks");
      router.refresh();
    } catch (err) {
      if (err instanceof ApiClientError) {
        setFieldErrors(err.fieldErrors());
        setError(err.message);
      } else setError("Could not reach the server. Try again.");
    } finally {
      setPending(false);
    }
  }

  const isSignUp = mode === "sign-up";
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg bg-surface p-8 shadow">
        <p className="text-sm font-semibold tracking-wide text-indigo-700">Akol Webhooks</p>
        <h1 className="mt-1 text-2xl font-semibold">{isSignUp ? "Create your account" : "Sign in"}</h1>
        <form className="mt-6 space-y-4" onSubmit={onSubmit} noValidate>
          {isSignUp ? (
            <Field id="name" name="name" label="Name (optional)" autoComplete="name" error={fieldErrors.name} />
          ) : null}
          <Field
            id="email"
            name="email"
            type="email"
            label="Email"
            autoComplete="email"
            required
            error={fieldErrors.email}
          />
          <Field
            id="password"
            name="password"
            type="password"
            label="Password"
            autoComplete={isSignUp ? "new-password" : "current-password"}
            required
            minLength={isSignUp ? 8 : undefined}
            hint={isSignUp ? "At least 8 characters." : undefined}
            error={fieldErrors.password}
          />
          {error ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
              {error}
            </p>
          ) : null}
          <Button type="submit" className="w-full" disabled={pending}>
            {pending ? (isSignUp ? "Creating account…" : "Signing in…") : isSignUp ? "Create account" : "Sign in"}
          </Button>
        </form>
        <p className="mt-6 text-center text-sm text-slate-600">
          {isSignUp ? "Already have an account? " : "New to Akol Webhooks? "}
          <Link className="font-medium text-indigo-700 hover:underline" href={isSignUp ? "/sign-in" : "/sign-up"}>
            {isSignUp ? "Sign in" : "Create an account"}
          </Link>
        </p>
      </div>
    </main>
  );
}
