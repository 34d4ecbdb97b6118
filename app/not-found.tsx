import Link from "next/link";
import { getServerSession } from "next-auth";
import { Nav } from "@/components/layout/nav";
import { authOptions } from "@/lib/auth/options";
import { readTheme } from "@/lib/theme";

export const metadata = { title: "Page not found" };

/** Unknown URLs: a 404 inside the app's layout (the dashboard's navigation when signed in). */
export default async function NotFound() {
  const session = await getServerSession(authOptions());
  const signedIn = Boolean(session?.user.workspaceId);
  return (
    <>
      {signedIn && session ? (
        <Nav email={session.user.email} theme={await readTheme()} />
      ) : (
        <header className="border-b border-slate-200 bg-surface">
          <div className="mx-auto max-w-6xl px-4 py-3">
            <Link href="/" className="font-semibold text-indigo-700">
              Akol Webhooks
            </Link>
          </div>
        </header>
      )}
      <main className="mx-auto max-w-6xl px-4 py-8">
        <section
          aria-labelledby="not-found-title"
          className="mx-auto max-w-lg rounded-lg bg-surface p-8 text-center shadow"
          data-testid="not-found"
        >
          <p className="text-sm font-semibold text-indigo-700">404</p>
          <h1 id="not-found-title" className="mt-1 text-2xl font-semibold text-slate-900">
            Page not found
          </h1>
          <p className="mt-2 text-sm text-slate-600">
            There is nothing at this address. It may have moved, or the link is mistyped.
          </p>
          <div className="mt-6 flex flex-wrap justify-center gap-3 text-sm font-medium">
            <Link href={signedIn ? "/webhooks" : "/sign-in"} className="text-indigo-700 hover:underline">
              {signedIn ? "Go to your webhooks" : "Sign in"}
            </Link>
            {signedIn ? (
              <Link href="/docs/webhooks" className="text-indigo-700 hover:underline">
                Read the docs
              </Link>
            ) : null}
          </div>
        </section>
      </main>
    </>
  );
}
