// Preloaded (NODE_OPTIONS=--require …) into every Node process of the app by scripts/bench/common.ts when
// profiling is asked for:
//   BENCH_CPU_PROF=<dir>  Node 20 refuses --cpu-prof in NODE_OPTIONS, so this starts the V8 profiler through
//                         node:inspector and writes <dir>/<title>-<pid>.cpuprofile when the process exits
//                         (SIGTERM → exit included).
//   BENCH_MEM_LOG=<dir>   appends process.memoryUsage() + V8 heap figures every second to <dir>/<title>-<pid>.mem.jsonl
const fs = require("node:fs");
const path = require("node:path");

const name = () => `${String(process.title).replace(/[^\w.-]+/g, "_")}-${process.pid}`;

const profDir = process.env.BENCH_CPU_PROF;
if (profDir) {
  const inspector = require("node:inspector");
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.setSamplingInterval", { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US || 1000) });
  session.post("Profiler.enable");
  session.post("Profiler.start");
  let written = false;
  process.on("exit", () => {
    if (written) return;
    written = true;
    // In-thread session: post() runs its callback synchronously, so this works inside an 'exit' handler.
    session.post("Profiler.stop", (err, res) => {
      if (err || !res) return;
      fs.mkdirSync(profDir, { recursive: true });
      fs.writeFileSync(path.join(profDir, `${name()}.cpuprofile`), JSON.stringify(res.profile));
    });
  });
}

const memDir = process.env.BENCH_MEM_LOG;
if (memDir) {
  const v8 = require("node:v8");
  fs.mkdirSync(memDir, { recursive: true });
  const file = path.join(memDir, `${process.pid}.mem.jsonl`);
  const timer = setInterval(() => {
    try {
      const m = process.memoryUsage();
      const h = v8.getHeapStatistics();
      const spaces = Object.fromEntries(
        v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_used_size / 1048576)]),
      );
      const line = {
        t: Date.now(),
        rss: Math.round(m.rss / 1048576),
        heapUsed: Math.round(m.heapUsed / 1048576),
        heapTotal: Math.round(m.heapTotal / 1048576),
        external: Math.round(m.external / 1048576),
        arrayBuffers: Math.round(m.arrayBuffers / 1048576),
        limit: Math.round(h.heap_size_limit / 1048576),
        title: process.title,
        spaces,
      };
      fs.appendFileSync(file, JSON.stringify(line) + "\n");
    } catch (err) {
      fs.appendFileSync(file, JSON.stringify({ error: String(err) }) + "\n");
    }
  }, 1000);
  timer.unref();
}

// BENCH_PG_COUNT=<file>: counts pg queries (pg.Client#query) by their first words, written at exit.
const pgCount = process.env.BENCH_PG_COUNT;
if (pgCount) {
  try {
    const pg = require(require.resolve("pg", { paths: [process.cwd()] }));
    const counts = new Map();
    const orig = pg.Client.prototype.query;
    pg.Client.prototype.query = function (config, ...rest) {
      const text = typeof config === "string" ? config : config && typeof config.text === "string" ? config.text : "?";
      const key = text.replace(/\s+/g, " ").trim().slice(0, 70);
      counts.set(key, (counts.get(key) || 0) + 1);
      return orig.call(this, config, ...rest);
    };
    process.on("exit", () => {
      const rows = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(8)}  ${k}`);
      fs.writeFileSync(`${pgCount}.${process.pid}.txt`, rows.join("\n") + "\n");
    });
  } catch (err) {
    process.stderr.write(`BENCH_PG_COUNT: ${err}\n`);
  }
}
