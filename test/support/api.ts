import { encode } from "next-auth/jwt";
import { createApiKey } from "@/lib/auth/api-keys";
import { createUserWithWorkspace } from "@/lib/auth/users";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";

/** Helpers for integration tests that call the route handlers in-process with real Requests. */

export const BASE = "http://localhost:3000";

export type Tenant = { userId: string; workspaceId: string; email: string; key: string; keyId: string; cookie: string };

/** A next-auth session cookie as the app issues it; `sessionVersion` is the user's at sign-in (0 for a new user). */
export async function sessionCookie(
  user: { id: string; email: string; workspaceId: string },
  sessionVersion = 0,
): Promise<string> {
  const token = await encode({
    token: { sub: user.id, email: user.email, workspaceId: user.workspaceId, sv: sessionVersion },
    secret: env().AUTH_SECRET,
  });
  return `next-auth.session-token=${token}`;
}

export async function makeTenant(label = "t"): Promise<Tenant> {
  const email = `${label}-${newId("x").slice(-8).toLowerCase()}@example.com`;
  const user = await createUserWithWorkspace({ email, password: "correct horse battery" });
  const key = await createApiKey(user.workspaceId, "test");
  return {
    userId: user.id,
    workspaceId: user.workspaceId,
    email,
    key: key.key,
    keyId: key.id,
    cookie: await sessionCookie(user),
  };
}

type Auth = { key?: string; cookie?: string; origin?: string } | undefined;

export function request(
  method: string,
  path: string,
  opts: { auth?: Auth; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Request {
  const headers = new Headers(opts.headers);
  if (opts.auth?.key) headers.set("authorization", `Bearer ${opts.auth.key}`);
  if (opts.auth?.cookie) headers.set("cookie", opts.auth.cookie);
  if (opts.auth?.origin) headers.set("origin", opts.auth.origin);
  headers.set("host", new URL(BASE).host);
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new Request(`${BASE}${path}`, { method, headers, body });
}

/** Any route handler: its params type is checked by Next.js, tests pass the params they mean. */
export type RouteHandler = (req: Request, ctx: { params: Promise<never> }) => Promise<Response>;

/** Calls a route handler as Next.js would and returns status, headers and the parsed JSON body. */
export async function call<T = unknown>(
  handler: RouteHandler,
  req: Request,
  params: Record<string, string | string[]> = {},
): Promise<{ status: number; headers: Headers; body: EnvelopeBody<T> }> {
  const res = await handler(req, { params: Promise.resolve(params) as Promise<never> });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as EnvelopeBody<T> };
}

export type EnvelopeBody<T> = {
  success: boolean;
  data: T;
  error?: { code: string; message: string; details?: { field: string; message: string }[] };
  pagination?: { page: number; limit: number; total: number; totalPages: number };
};

/** Every row of every table as text: what a database dump would reveal (pg_dump of the host may be older than the server). */
export async function dumpDatabaseText(): Promise<string> {
  const { db } = await import("@/lib/db");
  const tables = await db.$queryRaw<
    { table_name: string }[]
  >`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
  const parts: string[] = [];
  for (const { table_name } of tables) {
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(
      `select row_to_json(t)::text as row from "${table_name.replace(/"/g, '""')}" t`,
    );
    parts.push(`-- ${table_name}`, ...rows.map((r) => r.row));
  }
  return parts.join("\n");
}
