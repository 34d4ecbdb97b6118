/**
 * The roll-your-own baseline of `npm run bench:delivery`: a plain webhook
 * sender on graphile-worker, as an experienced engineer would write it to
 * compete with the app, in its own process (so its CPU is measured apart):
 *
 * - intake     POST /events (Bearer key, checked against a SHA-256 in memory):
 *              ONE statement = one transaction inserts the event, one delivery
 *              row per subscribed webhook of the key's workspace, and one
 *              graphile-worker job per delivery (graphile_worker.add_jobs).
 * - deliver    one job per delivery: load the delivery (+ event payload, url,
 *              secret) in one query, sign with `standardwebhooks`, POST over a
 *              keep-alive undici Agent (timeout WEBHOOK_TIMEOUT_MS), then ONE
 *              statement records the attempt row, updates the delivery and, on
 *              failure, re-enqueues the job with run_at on the retry schedule
 *              (same message id, so the same webhook-id on every attempt).
 * - tuning     graphile-worker's documented throughput options
 *              (worker.graphile.org/docs/performance): local queue (size 500),
 *              batched job completion/failure (delay 0), 32 concurrent jobs
 *              (the deliveries are I/O-bound), a pool of 40 shared with the intake.
 *
 * What it does not do that the app does (each costs the app CPU): per-endpoint
 * throttling, SSRF checks at connect time, encrypted secrets, response-body
 * capture and delivery-log bookkeeping beyond one attempt row, API key hashing
 * with a slow KDF, idempotency keys, request validation beyond the JSON shape.
 *
 * Run by scripts/bench/delivery.ts as a child with IPC (env: BASELINE_DATABASE_URL,
 * BASELINE_PORT, NODE_EXTRA_CA_CERTS). Messages: parent → {type:"setup", workspaces:
 * [{key, webhooks:[{url, events}]}]}; child → {type:"ready"}, {type:"setup-done"}.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { Logger, run, type Runner, type Task } from "graphile-worker";
import pg from "pg";
import { Webhook } from "standardwebhooks";
import { Agent, request } from "undici";

const DATABASE_URL = process.env.BASELINE_DATABASE_URL!;
const PORT = Number(process.env.BASELINE_PORT ?? 0);
const CONCURRENCY = Number(process.env.BASELINE_CONCURRENCY ?? 32);
const LOCAL_QUEUE = Number(process.env.BASELINE_LOCAL_QUEUE ?? 500);
const TIMEOUT_MS = Number(process.env.WEBHOOK_TIMEOUT_MS ?? 15_000);
const RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000];

if (!process.send || !DATABASE_URL) {
  process.stderr.write("scripts/bench/baseline.ts runs as a child of scripts/bench/delivery.ts\n");
  process.exit(2);
}
const send = (m: unknown) => process.send!(m);

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: CONCURRENCY + 8 });
// An idle connection's error (e.g. PostgreSQL stopping at the end) must not crash the process.
pool.on("error", (err) => process.stderr.write(`[baseline] pool: ${err.message}\n`));
pool.on("connect", (client) =>
  client.on("error", (err) => process.stderr.write(`[baseline] client: ${err.message}\n`)),
);
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });

await pool.query(`
  DROP SCHEMA IF EXISTS ryo CASCADE;
  CREATE SCHEMA ryo;
  CREATE TABLE ryo.webhook (id text PRIMARY KEY, workspace_id text NOT NULL, url text NOT NULL, secret text NOT NULL,
                            events text[] NOT NULL);
  CREATE INDEX ON ryo.webhook (workspace_id);
  CREATE TABLE ryo.event (id text PRIMARY KEY, workspace_id text NOT NULL, type text NOT NULL, payload text NOT NULL,
                          created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE ryo.delivery (id text PRIMARY KEY, event_id text NOT NULL REFERENCES ryo.event, webhook_id text NOT NULL,
                             message_id text NOT NULL, status text NOT NULL DEFAULT 'pending',
                             attempt_count int NOT NULL DEFAULT 0, status_code int, next_attempt_at timestamptz,
                             updated_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX ON ryo.delivery (event_id);
  CREATE TABLE ryo.attempt (id bigserial PRIMARY KEY, delivery_id text NOT NULL, attempt_number int NOT NULL,
                            status_code int, duration_ms int NOT NULL, error text,
                            created_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX ON ryo.attempt (delivery_id);
`);

/** sha256(key) → workspace id */
const keys = new Map<string, string>();

type Row = { message_id: string; attempt_count: number; status: string; payload: string; url: string; secret: string };
const signers = new Map<string, Webhook>();

const deliver: Task = async (payload) => {
  const { deliveryId } = payload as { deliveryId: string };
  const { rows } = await pool.query<Row>({
    name: "load",
    text: `SELECT d.message_id, d.attempt_count, d.status, e.payload, w.url, w.secret
             FROM ryo.delivery d JOIN ryo.event e ON e.id = d.event_id JOIN ryo.webhook w ON w.id = d.webhook_id
            WHERE d.id = $1`,
    values: [deliveryId],
  });
  const d = rows[0];
  if (!d || d.status !== "pending") return; // deleted, or already done (a job re-run after a crash)
  const attempt = d.attempt_count + 1;
  let signer = signers.get(d.secret);
  if (!signer) signers.set(d.secret, (signer = new Webhook(d.secret)));
  const now = new Date();
  const started = performance.now();
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await request(d.url, {
      method: "POST",
      dispatcher: agent,
      headers: {
        "content-type": "application/json",
        "user-agent": "ryo-webhooks/1.0",
        "webhook-id": d.message_id,
        "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
        "webhook-signature": signer.sign(d.message_id, now, d.payload),
      },
      body: d.payload,
      headersTimeout: TIMEOUT_MS,
      bodyTimeout: TIMEOUT_MS,
    });
    status = res.statusCode;
    await res.body.dump({ limit: 64 * 1024 });
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const ok = status !== null && status >= 200 && status < 300;
  const retryIn = ok || status === 410 ? undefined : RETRY_SCHEDULE[attempt - 1];
  const final = ok ? "succeeded" : retryIn === undefined ? "failed" : "pending";
  await pool.query({
    name: "record",
    text: `WITH a AS (INSERT INTO ryo.attempt (delivery_id, attempt_number, status_code, duration_ms, error)
                      VALUES ($1, $2, $3, $4, $5)),
                u AS (UPDATE ryo.delivery SET status = $6, attempt_count = $2, status_code = $3, updated_at = now(),
                             next_attempt_at = CASE WHEN $7::int IS NULL THEN NULL ELSE now() + make_interval(secs => $7::int) END
                       WHERE id = $1)
           SELECT CASE WHEN $7::int IS NULL THEN NULL ELSE
                    (graphile_worker.add_job('deliver', json_build_object('deliveryId', $1::text),
                                             run_at => now() + make_interval(secs => $7::int))).id END AS job`,
    values: [deliveryId, attempt, status, Math.round(performance.now() - started), error, final, retryIn ?? null],
  });
};

const runner: Runner = await run({
  pgPool: pool,
  concurrency: CONCURRENCY,
  noHandleSignals: true,
  pollInterval: 1000,
  taskList: { deliver },
  // Errors only (its info lines would interleave with the benchmark's table).
  logger: new Logger(() => (level, message) => {
    if (level === "error") process.stderr.write(`[baseline] ${message}\n`);
  }),
  preset: {
    worker: {
      localQueue: { size: LOCAL_QUEUE },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
    },
  },
});

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    void (async () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.method !== "POST" || req.url !== "/events") return answer(404, { error: "not found" });
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const workspaceId = auth ? keys.get(createHash("sha256").update(auth).digest("hex")) : undefined;
      if (!workspaceId) return answer(401, { error: "unauthorized" });
      let event: { type: string; data: unknown };
      try {
        event = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof event;
        if (typeof event.type !== "string" || typeof event.data !== "object" || event.data === null) throw new Error();
      } catch {
        return answer(400, { error: "expected {type, data}" });
      }
      const id = `evt_${randomUUID()}`;
      const timestamp = new Date().toISOString();
      const body = JSON.stringify({ type: event.type, timestamp, data: event.data });
      try {
        await pool.query({
          name: "publish",
          text: `WITH e AS (INSERT INTO ryo.event (id, workspace_id, type, payload) VALUES ($1, $2, $3, $4)),
                      d AS (INSERT INTO ryo.delivery (id, event_id, webhook_id, message_id)
                            SELECT 'dlv_' || gen_random_uuid(), $1, w.id, 'msg_' || gen_random_uuid()
                              FROM ryo.webhook w WHERE w.workspace_id = $2 AND $3 = ANY (w.events)
                            RETURNING id)
                 SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
                   SELECT ROW('deliver', json_build_object('deliveryId', d.id), NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec
                     FROM d))`,
          values: [id, workspaceId, event.type, body],
        });
        answer(202, { id, timestamp });
      } catch (err) {
        answer(500, { error: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
});
await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
const port = (server.address() as { port: number }).port;

type Setup = { type: "setup"; workspaces: Array<{ key: string; webhooks: Array<{ url: string; events: string[] }> }> };
process.on("message", (m: Setup) => {
  if (m.type !== "setup") return;
  void (async () => {
    for (const w of m.workspaces) {
      const workspaceId = `ws_${randomUUID()}`;
      keys.set(createHash("sha256").update(w.key).digest("hex"), workspaceId);
      for (const hook of w.webhooks) {
        const secret = `whsec_${Buffer.from(randomUUID().replace(/-/g, ""), "hex").toString("base64")}`;
        await pool.query(
          `INSERT INTO ryo.webhook (id, workspace_id, url, secret, events) VALUES ($1, $2, $3, $4, $5)`,
          [`whk_${randomUUID()}`, workspaceId, hook.url, secret, hook.events],
        );
      }
    }
    send({ type: "setup-done" });
  })();
});

const stop = async () => {
  server.close();
  await runner.stop();
  await pool.end();
  await agent.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("disconnect", () => void stop());

send({ type: "ready", url: `http://127.0.0.1:${port}` });
