"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { safeRedirect } from "@/lib/auth/redirect";
import { apiFetch, ApiClientError, NETWORK_ERROR_MESSAGE } from "@/lib/client/fetcher";

type AuthErrors = { form: string | null; fields: Record<string, string>; emailTaken: boolean };

const FIELD_MESSAGES: Record<string, (apiMessage: string) => string> = {
  email: (m) =>
    /already/i.test(m)
      ? "An account with this email already exists."
      : /too big|at most|254/i.test(m)
        ? "That email address is too long."
        : "Enter a valid email address, like name@example.com.",
  password: (m) => (/too big|at most|200/i.test(m) ? "Use at most 200 characters." : "Use at least 8 characters."),
  name: () => "Use at most 100 characters, or leave the name empty.",
};

/** The API's error, in words for a person: one message per field, and a sentence for the form. */
export function humanAuthErrors(err: unknown): AuthErrors {
  if (!(err instanceof ApiClientError)) return { form: NETWORK_ERROR_MESSAGE, fields: {}, emailTaken: false };
  const fields: Record<string, string> = {};
  for (const [field, message] of Object.entries(err.fieldErrors()))
    fields[field] = FIELD_MESSAGES[field]?.(message) ?? message;
  if (err.status === 409) return { form: null, fields, emailTaken: true };
  if (err.status === 429) {
    const retryAfter = (err.details as { retryAfter?: unknown } | undefined)?.retryAfter;
    const when = typeof retryAfter === "number" ? retryText(retryAfter) : "in a minute";
    return { form: `Too many sign-ups from this network. Try again ${when}.`, fields, emailTaken: false };
  }
  if (Object.keys(fields).length > 0) return { form: null, fields, emailTaken: false };
  return { form: err.message, fields, emailTaken: false };
}

const MAX_PASSWORD_LENGTH = 200;

/** "in 45 seconds" / "in 3 minutes (at 21:07)": when a throttled sign-in may be tried again. */
export function retryText(seconds: number): string {
  if (seconds < 120) return `in ${seconds} second${seconds === 1 ? "" : "s"}`;
  const at = new Date(Date.now() + seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `in ${Math.ceil(seconds / 60)} minutes (at ${at})`;
}

/** The message for next-auth's `error` of a refused sign-in (see lib/api/auth-route.ts). */
function signInError(error: string): string {
  const throttled = /^rate_limited:(\d+)$/.exec(error);
  if (throttled) return `Too many failed sign-in attempts. Try again ${retryText(Number(throttled[1]))}.`;
  if (error === "password_too_long") return `Passwords are at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (error === "payload_too_large") return "The request is too large.";
  return "Email or password is incorrect.";
}

/** Sign-in and sign-up share one form; sign-up creates the account (and workspace) then signs in. */
export function AuthForm({ mode, appOrigin }: { mode: "sign-in" | "sign-up"; appOrigin: string }) {
  const router = useRouter();
  const params = useSearchParams();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [emailTaken, setEmailTaken] = useState<string | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    setPending(true);
    setError(null);
    setFieldErrors({});
    setEmailTaken(null);
    if (password.length > MAX_PASSWORD_LENGTH) {
      setFieldErrors({ password: `must be at most ${MAX_PASSWORD_LENGTH} characters` });
      setPending(false);
      return;
    }
    try {
      if (mode === "sign-up") {
        await apiFetch("/api/auth/sign-up", {
          method: "POST",
          body: { email, password, name: String(form.get("name") ?? "") || undefined },
        });
      }
      const res = await signIn("credentials", { email, password, redirect: false });
      if (!res || res.error) {
        setError(signInError(res?.error ?? ""));
        return;
      }
      // Only ever a page of this app: anything resolving to another origin goes to the dashboard.
      router.replace(safeRedirect(params.get("callbackUrl"), appOrigin));
      router.refresh();
    } catch (err) {
      const human = humanAuthErrors(err);
      setFieldErrors(human.fields);
      setError(human.form);
      setEmailTaken(human.emailTaken ? email : null);
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
            defaultValue={params.get("email") ?? undefined}
            error={fieldErrors.email}
          />
          {emailTaken ? (
            <p className="text-sm text-slate-700" data-testid="email-taken">
              <Link
                className="font-medium text-indigo-700 underline"
                href={`/sign-in?email=${encodeURIComponent(emailTaken)}`}
              >
                Sign in instead
              </Link>
            </p>
          ) : null}
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
