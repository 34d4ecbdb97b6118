import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The one place configuration is read. Every variable, its default and its
 * meaning is listed in the README; nothing else reads process.env directly.
 */

const bool = z
  .enum(["1", "0", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: int(3000, 1),
  /** Public origin of the app (used by next-auth and in the README's links). */
  APP_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default(".data"),
  /** Unset: 54329, or a free port if that one is busy (remembered in DATA_DIR/embedded-db.json). */
  EMBEDDED_DB_PORT: z.coerce.number().int().min(1).optional(),
  DATABASE_POOL_SIZE: int(20, 1),
  AUTH_SECRET: z.string().min(32).optional(),
  SECRETS_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),
  API_RATE_LIMIT_PER_MINUTE: int(600, 1),
  API_MAX_BODY_BYTES: int(256 * 1024, 1024),
  /** Trust X-Forwarded-For/-Host/-Proto from a reverse proxy in front of the app (only set it behind one). */
  TRUST_PROXY: bool,
  /** Webhook endpoints a workspace may have (fan-out amplification cap). */
  MAX_WEBHOOKS_PER_WORKSPACE: int(50, 1),
  /** Window of the sign-in and sign-up throttles, in seconds. */
  AUTH_THROTTLE_WINDOW_SECONDS: int(900, 1),
  /** Failed sign-ins per account per window; then the account's sign-in answers 429 until the window ends. */
  AUTH_SIGN_IN_MAX_FAILURES: int(10, 1),
  /** Failed sign-ins per client IP per window (any accounts). */
  AUTH_SIGN_IN_MAX_FAILURES_PER_IP: int(100, 1),
  /** Sign-ups per client IP per window. */
  AUTH_SIGN_UP_PER_IP: int(20, 1),
  WEBHOOK_ALLOWED_TARGETS: z.string().default(""),
  /** PEM file of extra CAs trusted for webhook HTTPS, besides Node's bundled roots. */
  NODE_EXTRA_CA_CERTS: z.string().optional(),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default("5,300,1800,7200,18000,36000,36000")
    .transform((s, ctx) => {
      const parts = s
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)
        .map(Number);
      if (parts.some((n) => !Number.isFinite(n) || n < 0)) {
        ctx.addIssue({ code: "custom", message: "must be comma-separated seconds" });
        return z.NEVER;
      }
      return parts;
    }),
  WEBHOOK_TIMEOUT_MS: int(15_000, 100),
  WEBHOOK_PROBE_TIMEOUT_MS: int(10_000, 100),
  /** Deliveries per webhook per second (Inngest throttle). */
  WEBHOOK_DELIVERY_RATE_PER_SECOND: int(50, 1),
  /** Consecutive failed deliveries that disable an endpoint. */
  WEBHOOK_DISABLE_AFTER_FAILURES: int(100, 1),
  /** Days of uninterrupted failure that disable an endpoint. */
  WEBHOOK_DISABLE_AFTER_DAYS: int(5, 1),
  DELIVERY_RETENTION_DAYS: int(30, 1),
  /** SMTP server for disabled-endpoint emails (`smtp://user:pass@host:587`, `smtps://…:465`); unset: no email. Never logged. */
  SMTP_URL: z
    .url()
    .refine((u) => /^smtps?:$/.test(new URL(u).protocol), "must be an smtp:// or smtps:// URL")
    .optional(),
  /** Sender of those emails. */
  MAIL_FROM: z.string().min(3).default("Akol Webhooks <webhooks@localhost>"),
  INNGEST_EVENT_KEY: z.string().min(1).optional(),
  INNGEST_SIGNING_KEY: z.string().min(1).optional(),
  INNGEST_DEV: bool,
  INNGEST_BASE_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
});

/** Every variable this module reads (the deployment files are checked against it: test/compose). */
export const ENV_VARIABLES: readonly string[] = Object.keys(schema.shape);

export type Env = Omit<z.infer<typeof schema>, "AUTH_SECRET" | "SECRETS_ENCRYPTION_KEY"> & {
  AUTH_SECRET: string;
  SECRETS_ENCRYPTION_KEY: string;
  /** Absolute path of DATA_DIR. */
  dataDir: string;
  /** True when no Inngest server is configured: the embedded executor runs functions. */
  embeddedExecutor: boolean;
};

export class ConfigError extends Error {
  override name = "ConfigError";
}

type GeneratedSecrets = { AUTH_SECRET: string; SECRETS_ENCRYPTION_KEY: string };

/**
 * Server secrets for development and the embedded default: generated once into
 * DATA_DIR/secrets.json (mode 0600) and reused on every later start.
 */
export function loadOrCreateSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) {
    const parsed = z
      .object({ AUTH_SECRET: z.string().min(32), SECRETS_ENCRYPTION_KEY: z.string().min(40) })
      .parse(JSON.parse(readFileSync(file, "utf8")));
    return parsed;
  }
  const secrets: GeneratedSecrets = {
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    SECRETS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return secrets;
}

export type Settings = z.infer<typeof schema>;

/** The validated variables alone, without resolving (or generating) the server secrets. */
export function parseSettings(source: NodeJS.ProcessEnv): Settings {
  // An empty variable means "unset" (e.g. `DATABASE_URL=` selects the embedded database).
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

/** No Inngest server configured (neither INNGEST_DEV nor both keys): the embedded executor runs the functions. */
export function usesEmbeddedExecutor(s: Settings): boolean {
  return !s.INNGEST_DEV && !(s.INNGEST_EVENT_KEY && s.INNGEST_SIGNING_KEY);
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const e = parseSettings(source);
  const dataDir = path.resolve(e.DATA_DIR);
  let { AUTH_SECRET, SECRETS_ENCRYPTION_KEY } = e;
  if (!AUTH_SECRET || !SECRETS_ENCRYPTION_KEY) {
    if (e.NODE_ENV === "production" && e.DATABASE_URL) {
      const missing = [!AUTH_SECRET && "AUTH_SECRET", !SECRETS_ENCRYPTION_KEY && "SECRETS_ENCRYPTION_KEY"].filter(
        Boolean,
      );
      throw new ConfigError(
        `${missing.join(" and ")} must be set in production with an external database ` +
          `(generate with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))")`,
      );
    }
    const generated = loadOrCreateSecrets(dataDir);
    AUTH_SECRET ??= generated.AUTH_SECRET;
    SECRETS_ENCRYPTION_KEY ??= generated.SECRETS_ENCRYPTION_KEY;
  }
  return { ...e, AUTH_SECRET, SECRETS_ENCRYPTION_KEY, dataDir, embeddedExecutor: usesEmbeddedExecutor(e) };
}

let cached: Env | undefined;
let cachedSettings: Settings | undefined;

/**
 * Settings needed while modules load (e.g. an Inngest function's throttle),
 * where `next build` must not resolve or generate secrets.
 */
export function settings(): Settings {
  cachedSettings ??= parseSettings(process.env);
  return cachedSettings;
}

/** The configuration, parsed once on first use (never at import, so builds need no secrets). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** The app's public origin (scheme + host + port): APP_URL's, or http://localhost:$PORT. */
export function appOrigin(): string {
  const s = settings();
  return new URL(s.APP_URL ?? `http://localhost:${s.PORT}`).origin;
}

/** Tests only: forget the parsed configuration after changing process.env. */
export function resetEnvForTests(): void {
  cached = undefined;
  cachedSettings = undefined;
}
