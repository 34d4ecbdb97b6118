/**
 * The benchmarks' webhook receiver, in its own process (so that it does not
 * share an event loop with the load generator): test/support/https-receiver.ts
 * with its test certificate, answering 200 "ok" at once. Reports over IPC:
 *   ready     { url, port, caPath }  (caPath: the test CA the app must trust)
 *   receipts  { items: [key, epochMs][] } every 50 ms, key = the body's
 *             "callId" when it starts with call_bench_ (set by the benchmarks)
 *   stats     { requests } on request
 * Started by scripts/bench/common.ts (startReceiverProcess); stops on SIGTERM
 * or when its parent goes away.
 */
import { startReceiver, testTls } from "@/test/support/https-receiver";

const KEY = /"callId":"(call_bench_[A-Za-z0-9_-]+)"/;

if (!process.send) {
  process.stderr.write("scripts/bench/receiver.ts runs as a child of a benchmark (it reports over IPC)\n");
  process.exit(2);
}

let requests = 0;
let pending: Array<[string, number]> = [];
const receiver = await startReceiver((req, res) => {
  requests++;
  const m = KEY.exec(req.body);
  if (m) pending.push([m[1]!, req.receivedAt.getTime()]);
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok");
});

const flush = setInterval(() => {
  receiver.requests.length = 0; // the fixture records every request; nothing here needs them
  if (pending.length) {
    process.send!({ type: "receipts", items: pending });
    pending = [];
  }
}, 50);

process.on("message", (m: { type: string }) => {
  if (m.type === "stats") process.send!({ type: "stats", requests });
});

const stop = async () => {
  clearInterval(flush);
  await receiver.close();
  process.exit(0);
};
process.once("SIGTERM", () => void stop());
process.once("disconnect", () => void stop());

process.send({ type: "ready", url: receiver.url, port: receiver.port, caPath: testTls().caPath });
