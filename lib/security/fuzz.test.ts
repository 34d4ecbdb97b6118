import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as nextAuthRoute from "@/app/api/auth/[...nextauth]/route";
import { POST as signUp } from "@/app/api/auth/sign-up/route";
import { EVENT_TYPES, findEventType } from "@/lib/events/catalog";
import { call, makeTenant, request, type EnvelopeBody, type RouteHandler, type Tenant } from "@/test/support/api";
import { rowCounts, seedResources, type RowCounts, type WorkspaceResources } from "@/test/support/fixtures";
import {
  anyValue,
  bigString,
  bodyArb,
  deepValue,
  idLike,
  JObj,
  nastyString,
  objectKey,
  queryArb,
  type JVal,
  type RawBody,
} from "@/test/support/fuzz";
import { closedPort, setTestEnv, startReceiver, useTestTargets, type Receiver } from "@/test/support/https-receiver";
import { discoverRoutes, fillRoute, type DiscoveredRoute } from "@/test/support/routes";

/**
 * Input fuzzing of every /api/v1 route (discovered from the folder) and of
 * sign-up (issue 6, item 4): property-based bodies, path params, query
 * strings and headers. Whatever comes in, the answer is never a 5xx, always
 * the envelope (`success:false` with a known code, or a valid success), a
 * rejected request writes nothing and nothing pollutes Object.prototype.
 *
 * Deterministic: a fixed seed (FUZZ_SEED to change it, FUZZ_RUNS for more
 * runs per route); fast-check prints the seed and counterexample on failure.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20260418);
/** Runs per route: routes with a body get BODY_RUNS, the others (params and query only) RUNS. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const BODY_RUNS = RUNS * 4;

const routes = await discoverRoutes();

let a: Tenant;
let b: Tenant;
let fxA: WorkspaceResources;
let fxB: WorkspaceResources;
let receiver: Receiver;
let refusedUrl: string;
let restore: (() => void)[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  refusedUrl = `https://127.0.0.1:${await closedPort()}/hook`;
  restore = [
    useTestTargets("127.0.0.1"),
    setTestEnv({
      API_RATE_LIMIT_PER_MINUTE: "1000000",
      WEBHOOK_PROBE_TIMEOUT_MS: "2000",
      AUTH_SIGN_UP_PER_IP: "1000000",
      MAX_WEBHOOKS_PER_WORKSPACE: "1000000",
    }),
  ];
  a = await makeTenant("fa");
  b = await makeTenant("fb");
  fxA = await seedResources(a.workspaceId, receiver.url);
  fxB = await seedResources(b.workspaceId, receiver.url);
});
afterAll(async () => {
  for (const r of restore.reverse()) r();
  await receiver.close();
});

// ---------------------------------------------------------------------------
// What a route accepts: its body fields (valid values; the generators add invalid ones), query fields, headers

const eventType = fc.constantFrom(...EVENT_TYPES);
const eventList: fc.Arbitrary<JVal> = fc.oneof(
  fc.subarray([...EVENT_TYPES], { minLength: 1 }),
  fc.array(fc.oneof(eventType, fc.string({ maxLength: 12 })), { maxLength: 12 }),
  fc.constant<JVal>(["call.ended", "call.ended"]),
);
const urls = (): fc.Arbitrary<JVal> =>
  fc.oneof(
    { arbitrary: fc.constant(receiver.url), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        refusedUrl,
        `${receiver.url}?q=${"x".repeat(2100)}`,
        "http://127.0.0.1/h",
        "https://10.0.0.1/h",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/h",
        "https://[::ffff:127.0.0.1]/h",
        "https://0x7f.1/h",
        "https://2130706433/h",
        "https://user:pw@127.0.0.1/h",
        "ftp://127.0.0.1/h",
        "javascript:alert(1)",
        "https://127.0.0.1:0/h",
        "https://127.0.0.1:99999/h",
        "https://",
        "//127.0.0.1/h",
        "/relative",
        "https://127.0.0.1/\u0000",
        "https://127.0.0.1/%00",
      ),
      weight: 2,
    },
  );
const timestamp = fc.constantFrom(
  "2026-04-18T14:23:10.000Z",
  "2026-04-18T14:23:10+02:00",
  "1970-01-01T00:00:00Z",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999Z",
  "2026-02-30T00:00:00Z",
  "2026-04-18T24:00:00Z",
  "2026-04-18",
);

/** `data` for an event type: its catalog example, sometimes with a field replaced, dropped or added. */
function eventData(type: string): fc.Arbitrary<JVal> {
  const entries = Object.entries(findEventType(type)!.example as Record<string, JVal>);
  return fc
    .tuple(
      fc.nat(entries.length - 1),
      fc.constantFrom("keep", "keep", "replace", "drop", "add", "add", "add"),
      objectKey,
      fc.oneof(anyValue, deepValue, nastyString, bigString),
    )
    .map(([i, op, key, value]) => {
      const e: [string, JVal][] = entries.map(([k, v]) => [k, v]);
      if (op === "replace") e[i] = [e[i]![0], value];
      else if (op === "drop") e.splice(i, 1);
      else if (op === "add") e.push([key, value]);
      return new JObj(e);
    });
}

/** A recovery window's bound: recent (valid), in the future, too old, or any of the odd timestamps. */
function recoveryTime(): fc.Arbitrary<JVal> {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  return fc.oneof(
    { arbitrary: fc.constantFrom(ago(3600_000), ago(60_000), ago(86_400_000), ago(0)), weight: 4 },
    { arbitrary: fc.constantFrom(ago(-3600_000), ago(15 * 86_400_000), "2026-13-01T00:00:00Z"), weight: 2 },
    { arbitrary: timestamp, weight: 1 },
    { arbitrary: anyValue, weight: 1 },
  );
}

const idempotencyKey: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 3 },
  {
    arbitrary: fc
      .oneof(
        fc.string({ unit: "grapheme-ascii", maxLength: 300 }),
        fc.constantFrom("", " ", "a".repeat(255), "a".repeat(256), "order-1", "order-2"),
      )
      .map((k) => ({ "idempotency-key": k })),
    weight: 2,
  },
);

type Target = {
  body?: () => fc.Arbitrary<RawBody>;
  query?: Record<string, fc.Arbitrary<string>>;
  headers?: fc.Arbitrary<Record<string, string>>;
  /** Answers a document of its own, not the envelope (the public OpenAPI document). */
  document?: true;
};

/** Routes with inputs; any other route (and any new one) is fuzzed with generic bodies, params and queries. */
const TARGETS: Record<string, Target> = {
  "GET /openapi.json": { document: true },
  "POST /api-keys": {
    body: () => bodyArb({ name: fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), nastyString) }),
  },
  "POST /events": {
    body: () => eventType.chain((t) => bodyArb({ type: fc.constant(t), data: eventData(t), timestamp })),
    headers: idempotencyKey,
  },
  "POST /webhooks": { body: () => bodyArb({ url: urls(), events: eventList }) },
  "PATCH /webhooks/[id]": { body: () => bodyArb({ url: urls(), events: eventList, isActive: fc.boolean() }) },
  "POST /webhooks/[id]/test": { body: () => bodyArb({ event: eventType }) },
  "PUT /operational-webhook": { body: () => bodyArb({ url: urls() }) },
  "POST /webhooks/[id]/recover": { body: () => bodyArb({ since: recoveryTime(), until: recoveryTime() }) },
  "GET /webhooks/[id]/recover": {
    query: { since: recoveryTime().map(String), until: recoveryTime().map(String) },
  },
  "GET /webhooks/[id]/deliveries": {
    query: {
      page: fc.integer({ min: -2, max: 3 }).map(String),
      limit: fc.integer({ min: -1, max: 101 }).map(String),
      success: fc.constantFrom("true", "false"),
      eventType,
    },
  },
};

// ---------------------------------------------------------------------------
// Path params: A's resource (mostly), B's, a well-formed id that does not exist, or garbage

type ParamChoice = { kind: "own" | "other" | "missing" } | { kind: "literal"; value: string };
const paramChoice: fc.Arbitrary<ParamChoice> = fc.oneof(
  { arbitrary: fc.constant({ kind: "own" as const }), weight: 6 },
  { arbitrary: fc.constantFrom({ kind: "other" as const }, { kind: "missing" as const }), weight: 1 },
  { arbitrary: idLike.map((value) => ({ kind: "literal" as const, value })), weight: 3 },
);

function resolveParam(route: DiscoveredRoute, name: string, choice: ParamChoice, fx: WorkspaceResources): string {
  if (choice.kind === "literal") return choice.value;
  const pick = (r: WorkspaceResources): string => {
    if (name === "id")
      return route.route.startsWith("/api-keys/")
        ? r.keyId
        : route.route.startsWith("/notices/")
          ? r.noticeId
          : r.webhookId;
    if (name === "deliveryId") return r.deliveryId;
    if (name === "recoveryId") return r.recoveryId;
    throw new Error(`fuzz does not know which resource [${name}] of ${route.key} names`);
  };
  if (choice.kind === "own") return pick(fx);
  if (choice.kind === "other") return pick(fxB);
  return pick(fx).replace(/_.*/, "_0000000000000000000000000");
}

// ---------------------------------------------------------------------------
// The properties

const STATUS_CODES: Record<number, string[]> = {
  400: ["invalid_json", "validation_error", "probe_failed"],
  401: ["unauthorized"],
  403: ["forbidden"],
  404: ["not_found"],
  405: ["method_not_allowed"],
  409: ["conflict", "quota_exceeded"],
  413: ["payload_too_large"],
  415: ["unsupported_media_type"],
  429: ["rate_limited"],
};

const prototypeNames = (o: object) => Object.getOwnPropertyNames(o).sort().join(",");
const PROTOTYPES = {
  object: prototypeNames(Object.prototype),
  array: prototypeNames(Array.prototype),
  fn: prototypeNames(Function.prototype),
};

function expectEnvelope(status: number, headers: Headers, body: EnvelopeBody<unknown> | null): void {
  expect(status, JSON.stringify(body)?.slice(0, 500)).toBeGreaterThanOrEqual(200);
  expect(status, JSON.stringify(body)?.slice(0, 500)).toBeLessThan(500);
  expect(headers.get("content-type")).toMatch(/^application\/json/);
  expect(body).not.toBeNull();
  if (status < 300) {
    expect(body).toMatchObject({ success: true });
    expect(body).toHaveProperty("data");
  } else {
    expect(body?.success).toBe(false);
    expect(STATUS_CODES[status], `status ${status}`).toBeDefined();
    expect(STATUS_CODES[status]).toContain(body?.error?.code);
    expect(typeof body?.error?.message).toBe("string");
    expect(body?.error?.message.length).toBeGreaterThan(0);
  }
}

function expectNoPollution(): void {
  expect(prototypeNames(Object.prototype)).toBe(PROTOTYPES.object);
  expect(prototypeNames(Array.prototype)).toBe(PROTOTYPES.array);
  expect(prototypeNames(Function.prototype)).toBe(PROTOTYPES.fn);
  const probe: Record<string, unknown> = {};
  for (const k in probe) throw new Error(`Object.prototype gained enumerable ${k}`);
}

type Input = { params: ParamChoice[]; query: string; body: RawBody | undefined; headers: Record<string, string> };

async function run(
  handler: RouteHandler,
  method: string,
  url: string,
  params: Record<string, string>,
  input: Input,
  auth: { key?: string },
  document = false,
) {
  const headers: Record<string, string> = { ...input.headers };
  if (input.body?.contentType !== undefined) headers["content-type"] = input.body.contentType;
  const req = request(method, url, { auth, rawBody: input.body?.text, headers });
  const before: RowCounts = await rowCounts();
  const res = await call(handler, req, params);
  if (document) {
    expect(res.status).toBe(200);
    expect(res.body).toHaveProperty("openapi");
  } else expectEnvelope(res.status, res.headers, res.body);
  expectNoPollution();
  if (res.status >= 300 || method === "GET")
    expect(await rowCounts(), `${res.status} ${res.body.error?.code ?? ""} wrote rows`).toEqual(before);
  return res;
}

const stats = new Map<string, Map<string, number>>();
function tally(route: string, status: number, code: string | undefined): void {
  const m = stats.get(route) ?? new Map<string, number>();
  const k = code ? `${status} ${code}` : String(status);
  m.set(k, (m.get(k) ?? 0) + 1);
  stats.set(route, m);
}
afterAll(() => {
  const lines = [...stats].map(
    ([r, m]) =>
      `${r}: ${[...m]
        .sort()
        .map(([k, n]) => `${k}×${n}`)
        .join(", ")}`,
  );
  process.stdout.write(`fuzz seed ${SEED}, ${RUNS} runs per route (${BODY_RUNS} with a body)\n${lines.join("\n")}\n`);
});

describe(`input fuzzing (seed ${SEED})`, () => {
  it("covers every discovered /api/v1 route", () => {
    expect(routes.length).toBeGreaterThanOrEqual(17);
    for (const key of Object.keys(TARGETS))
      expect(
        routes.map((r) => r.key),
        `TARGETS names a route that does not exist: ${key}`,
      ).toContain(key);
  });

  for (const route of routes) {
    it(route.key, async () => {
      const target = TARGETS[route.key] ?? {};
      const hasBody = route.method !== "GET" && route.method !== "HEAD";
      const input: fc.Arbitrary<Input> = fc.record({
        params: fc.tuple(...route.params.map(() => paramChoice)),
        query: queryArb(target.query ?? {}),
        body: hasBody ? (target.body?.() ?? bodyArb({})) : fc.constant(undefined),
        headers: target.headers ?? fc.constant({}),
      });
      await fc.assert(
        fc.asyncProperty(input, async (i) => {
          // destructive routes get fresh resources, so later runs still reach the body and the handler
          const fx = route.method === "DELETE" ? await seedResources(a.workspaceId, receiver.url) : fxA;
          const params = Object.fromEntries(
            route.params.map((name, n) => [name, resolveParam(route, name, i.params[n]!, fx)]),
          );
          const res = await run(
            route.handler,
            route.method,
            `/api/v1${fillRoute(route.route, params)}${i.query}`,
            params,
            i,
            { key: a.key },
            target.document,
          );
          tally(route.key, res.status, res.body.error?.code);
        }),
        { seed: SEED, numRuns: hasBody && target.body ? BODY_RUNS : RUNS },
      );
    });
  }

  it("credentials: arbitrary Authorization and session cookie values never authenticate and never 5xx", async () => {
    const guarded = routes.filter((r) => !TARGETS[r.key]?.document);
    // header values are byte strings without CR, LF or NUL
    const headerValue = fc.string({
      unit: fc
        .integer({ min: 0x20, max: 0xff })
        .filter((c) => c !== 0x7f)
        .map((c) => String.fromCharCode(c)),
      maxLength: 120,
    });
    const credential = fc.oneof(
      headerValue.map((v) => ({ authorization: v })),
      fc
        .constantFrom("Bearer", "Bearer ", "bearer akol_sk_", "Token x", "Bearer akol_sk_" + "0".repeat(32) + " extra")
        .map((v) => ({ authorization: v })),
      fc.stringMatching(/^[0-9A-Za-z]{0,40}$/).map((v) => ({ authorization: `Bearer akol_sk_${v}` })),
      headerValue.map((v) => ({ cookie: `next-auth.session-token=${v}` })),
      headerValue.map((v) => ({ cookie: `__Secure-next-auth.session-token=${v}` })),
      fc
        .constantFrom(`${a.cookie.slice(0, -3)}abc`, `${a.cookie}x`, a.cookie.replace(/\./g, ""))
        .map((cookie) => ({ cookie })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...guarded), credential, async (route, headers) => {
        const params = Object.fromEntries(
          route.params.map((name) => [name, resolveParam(route, name, { kind: "own" }, fxA)]),
        );
        const res = await run(
          route.handler,
          route.method,
          `/api/v1${fillRoute(route.route, params)}`,
          params,
          { params: [], query: "", body: undefined, headers },
          {},
        );
        expect(res.status).toBe(401);
        expect(res.body.error?.code).toBe("unauthorized");
      }),
      { seed: SEED, numRuns: RUNS * 4 },
    );
  });

  it("regressions: inputs the fuzzer found answering 500 get a 400/404 envelope and write nothing", async () => {
    const example = findEventType("call.ended")!.example as Record<string, JVal>;
    const withData = (extra: string) =>
      `{"type":"call.ended","data":${JSON.stringify(example).slice(0, -1)},${extra}}}`;
    const deep = (n: number) => "[".repeat(n) + "1" + "]".repeat(n);
    const bodies: [string, string, string][] = [
      ["POST /api-keys", '{"name":"\\u0000"}', "name"],
      ["POST /api-keys", '{"name":"a\\ud800"}', "name"],
      ["POST /events", withData('"note":"a\\u0000b"'), "data.note"],
      ["POST /events", withData('"note":"\\udfff"'), "data.note"],
      ["POST /events", withData('"k\\u0000":1'), "data"],
      ["POST /events", withData(`"deep":${deep(63)}`), "data.deep"], // body, data, then 63 arrays: 65 levels
      ["POST /events", withData(`"deep":${deep(3000)}`), "data.deep"],
      ["POST /events", withData(`"deep":${deep(100_000)}`), "data.deep"],
      [
        "POST /events",
        `{"type":"call.ended","data":${JSON.stringify(example)},"timestamp":"0000-01-01T00:00:00Z"}`,
        "timestamp",
      ],
      [
        "POST /events",
        `{"type":"call.ended","data":${JSON.stringify(example)},"timestamp":"0001-01-01T00:30:00+01:00"}`,
        "timestamp",
      ],
      ["POST /webhooks", `{"url":"${receiver.url}","events":["call.ended"],"x":${deep(100)}}`, "x"],
    ];
    for (const [key, text, field] of bodies) {
      const route = routes.find((r) => r.key === key)!;
      const res = await run(
        route.handler,
        route.method,
        `/api/v1${route.route}`,
        {},
        { params: [], query: "", body: { text, contentType: "application/json", label: "" }, headers: {} },
        { key: a.key },
      );
      expect(res.status, `${key} ${text.slice(0, 60)}`).toBe(400);
      expect(res.body.error?.code).toBe("validation_error");
      expect(res.body.error?.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining(field.split(".")[0]!) })]),
      );
    }
    // exactly MAX_JSON_DEPTH (64) levels (body, data, 62 arrays) is still accepted
    const ok = routes.find((r) => r.key === "POST /events")!;
    const within = await run(
      ok.handler,
      "POST",
      "/api/v1/events",
      {},
      {
        params: [],
        query: "",
        body: { text: withData(`"deep":${deep(62)}`), contentType: "application/json", label: "" },
        headers: {},
      },
      { key: a.key },
    );
    expect(within.status).toBe(202);

    const signUpRes = await run(
      signUp as RouteHandler,
      "POST",
      "/api/auth/sign-up",
      {},
      {
        params: [],
        query: "",
        body: {
          text: '{"email":"nul@example.com","password":"long-enough","name":"a\\u0000"}',
          contentType: "application/json",
          label: "",
        },
        headers: {},
      },
      {},
    );
    expect(signUpRes.status).toBe(400);

    // malformed ids in every path param of every route never reach the database
    for (const route of routes.filter((r) => r.params.length > 0)) {
      for (const bad of ["whk_\u0000", "dlv_\u0000", "key_\u0000", "\u0000", "whk_\ud800", "x".repeat(5000)]) {
        for (const target of route.params) {
          const params = Object.fromEntries(
            route.params.map((name) => [name, name === target ? bad : resolveParam(route, name, { kind: "own" }, fxA)]),
          );
          const hasBody = route.method !== "GET";
          const text =
            route.key === "PATCH /webhooks/[id]"
              ? '{"isActive":true}'
              : route.key === "POST /webhooks/[id]/test"
                ? '{"event":"call.ended"}'
                : undefined;
          const res = await run(
            route.handler,
            route.method,
            `/api/v1${fillRoute(route.route, params)}`,
            params,
            {
              params: [],
              query: "",
              body: hasBody && text ? { text, contentType: "application/json", label: "" } : undefined,
              headers: {},
            },
            { key: a.key },
          );
          expect(res.status, `${route.key} [${target}]=${JSON.stringify(bad).slice(0, 30)}`).toBe(404);
        }
      }
    }
  });

  it("POST /api/auth/sign-up (public)", async () => {
    const email = fc.oneof(
      fc.emailAddress(),
      fc.constantFrom("ADA@example.com", "ada@example.com", "a@b", "@", "a@b.c\u0000"),
    );
    const body = bodyArb({
      email,
      password: fc.string({ minLength: 8, maxLength: 40 }),
      name: fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), nastyString),
    });
    await fc.assert(
      fc.asyncProperty(body, async (rawBody) => {
        const res = await run(
          signUp as RouteHandler,
          "POST",
          "/api/auth/sign-up",
          {},
          { params: [], query: "", body: rawBody, headers: {} },
          {},
        );
        tally("POST /api/auth/sign-up", res.status, res.body.error?.code);
      }),
      { seed: SEED, numRuns: BODY_RUNS },
    );
  });

  it("POST /api/auth/callback/credentials (public): long passwords and big bodies never reach next-auth", async () => {
    const field = fc.oneof(nastyString, fc.string({ maxLength: 40 }), fc.emailAddress());
    const input = fc.record({
      email: field,
      password: fc.oneof(
        fc.string({ minLength: 201, maxLength: 600 }),
        fc.integer({ min: 201, max: 20_000 }).map((n) => "p".repeat(n)),
        fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.repeat(50).padEnd(201, "x")),
      ),
      extra: fc.oneof(
        fc.constant(""),
        fc.integer({ min: 0, max: 40_000 }).map((n) => "z".repeat(n)),
      ),
      json: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(input, async ({ email, password, extra, json }) => {
        const fields = { email, password, csrfToken: "t", json: "true", ...(extra ? { extra } : {}) };
        const rawBody = json ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
        const before = await rowCounts();
        const res = await call(
          nextAuthRoute.POST as unknown as RouteHandler,
          request("POST", "/api/auth/callback/credentials", {
            rawBody,
            headers: { "content-type": json ? "application/json" : "application/x-www-form-urlencoded" },
          }),
          { nextauth: ["callback", "credentials"] },
        );
        expectEnvelope(res.status, res.headers, res.body);
        const tooBig = new TextEncoder().encode(rawBody).byteLength > 16 * 1024;
        expect(res.status).toBe(tooBig ? 413 : 400);
        expect(await rowCounts()).toEqual(before);
        tally("POST /api/auth/callback/credentials", res.status, res.body.error?.code);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
