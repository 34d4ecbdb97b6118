import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ENV_VARIABLES, parseSettings, usesEmbeddedExecutor } from "@/lib/env";
import nextConfig from "@/next.config";

/**
 * The self-hosting files (docker-compose.yml, Dockerfile), checked without
 * Docker (there is none on the development machines or in CI): the compose
 * file against the Compose Specification's JSON schema (compose-spec.json,
 * vendored from the compose-spec repository with its Apache-2.0 LICENSE and
 * NOTICE beside it), every variable it gives the app one that lib/env.ts
 * reads and accepts, and the wiring between the services.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const schema = JSON.parse(readFileSync(path.join(ROOT, "test/compose/compose-spec.json"), "utf8")) as object;
const composeText = readFileSync(path.join(ROOT, "docker-compose.yml"), "utf8");
const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");

type Service = {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number | string };
};
type Compose = { services: Record<string, Service> };

const compose = parse(composeText) as Compose;

// The schema says draft-07 (as https://, which Ajv does not know by that name); formats are not asserted.
const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, validateFormats: false });
const validate = ajv.compile(schema);

/** `${VAR:?msg}` / `${VAR:-default}` / `${VAR}` interpolation, as Compose does it, with the given variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = vars[name];
    if (v !== undefined && v !== "") return v;
    if (op === "?") throw new Error(`${name} is required: ${arg}`);
    return op === "-" ? (arg ?? "") : "";
  });
}

const SAMPLE: Record<string, string> = {
  POSTGRES_PASSWORD: "pw",
  AUTH_SECRET: "x".repeat(43),
  SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  INNGEST_EVENT_KEY: "0123456789abcdef",
  INNGEST_SIGNING_KEY: "ab".repeat(32),
};

describe("docker-compose.yml", () => {
  it("is valid against the Compose Specification's schema", () => {
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema check rejects what Compose would reject (so that the test above can fail)", () => {
    const broken = structuredClone(compose) as Compose & Record<string, unknown>;
    (broken.services.app as Record<string, unknown>).replicas = 3; // belongs under deploy:
    expect(validate(broken)).toBe(false);
    const broken2 = structuredClone(compose);
    broken2.services.app!.depends_on = { migrate: { condition: "service_finished" } };
    expect(validate(broken2)).toBe(false);
  });

  it("gives the app only variables lib/env.ts reads, with values it accepts, in server mode", () => {
    for (const name of ["app", "migrate"]) {
      const env = compose.services[name]?.environment;
      expect(env, name).toBeDefined();
      const unknown = Object.keys(env!).filter((k) => !ENV_VARIABLES.includes(k));
      expect(unknown, `${name} sets variables lib/env.ts does not know`).toEqual([]);
      const resolved = Object.fromEntries(Object.entries(env!).map(([k, v]) => [k, interpolate(String(v), SAMPLE)]));
      const settings = parseSettings(resolved as NodeJS.ProcessEnv);
      expect(usesEmbeddedExecutor(settings), "the replicas run on the Inngest server, not embedded").toBe(false);
      expect(settings.NODE_ENV).toBe("production");
      expect(settings.DATABASE_URL).toBe("postgresql://akol:pw@postgres:5432/akol");
    }
    // Every secret is required (no default that would ship a known value).
    for (const secret of Object.keys(SAMPLE)) {
      expect(() => interpolate(`\${${secret}:?x}`, {})).toThrow();
      expect(composeText).toContain(`\${${secret}:?`);
      expect(composeText).not.toMatch(new RegExp(`\\$\\{${secret}:-`));
    }
  });

  it("wires PostgreSQL, the official Inngest server (inngest start) and N app replicas together", () => {
    const { postgres, inngest, app, migrate } = compose.services;
    expect(postgres?.image).toMatch(/^postgres:\d+/);
    expect(inngest?.image).toMatch(/^inngest\/inngest(:|$)/);
    expect(inngest?.command?.slice(0, 2)).toEqual(["inngest", "start"]);
    // The server and the app share the keys, and each reaches the other by service name.
    expect(inngest?.environment?.INNGEST_SIGNING_KEY).toBe(app?.environment?.INNGEST_SIGNING_KEY);
    expect(inngest?.environment?.INNGEST_EVENT_KEY).toBe(app?.environment?.INNGEST_EVENT_KEY);
    const sdkUrl = new URL(inngest!.command![inngest!.command!.indexOf("--sdk-url") + 1]!);
    expect(sdkUrl.hostname).toBe("app");
    expect(sdkUrl.pathname).toBe("/api/inngest");
    expect(new URL(app!.environment!.INNGEST_BASE_URL!).hostname).toBe("inngest");
    // Its state: PostgreSQL (history, configuration) and Redis (queue, run state) of this file.
    expect(new URL(interpolate(inngest!.environment!.INNGEST_POSTGRES_URI!, SAMPLE)).hostname).toBe("postgres");
    expect(new URL(inngest!.environment!.INNGEST_REDIS_URI!).hostname).toBe("redis");
    expect(compose.services.redis?.image).toMatch(/^redis:\d+/);
    // Replicas of the production image, started after the migrations ran.
    expect(app?.build?.target).toBe("runner");
    expect(Number(interpolate(String(app?.deploy?.replicas), {}))).toBeGreaterThanOrEqual(2);
    expect(app?.depends_on?.migrate?.condition).toBe("service_completed_successfully");
    expect(migrate?.build?.target).toBe("build");
    expect(migrate?.command).toEqual(["npm", "run", "db:migrate"]);
  });
});

describe("Dockerfile", () => {
  it("builds the standalone Next.js server and runs it", () => {
    expect(nextConfig.output).toBe("standalone");
    const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\w+)$/gm)].map((m) => m[1]);
    expect(stages).toEqual(["build", "runner"]);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/^RUN npx next build$/m);
    expect(dockerfile).toContain("COPY --from=build --chown=node:node /app/.next/standalone ./");
    expect(dockerfile).toContain("COPY --from=build --chown=node:node /app/.next/static ./.next/static");
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/exec node server\.js"\]$/m);
  });
});
