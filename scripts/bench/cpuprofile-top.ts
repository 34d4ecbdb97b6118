/**
 * Summarises a V8 .cpuprofile (from BENCH_CPU_PROF=<dir> npm run bench:…):
 * self and inclusive time by function and by source file / package, with the
 * production bundle's frames mapped back to their sources through the build's
 * source maps (.next/server/**.js.map).
 *   node --import tsx scripts/bench/cpuprofile-top.ts <file.cpuprofile> [top=30] [filter-regexp]
 * With a filter, only samples whose stack contains a matching frame are counted.
 * CPUPROF_WINDOW=<from>-<to> (seconds since the profile started) counts only the samples of that window
 * (e.g. one burst: CPUPROF_HIST=1 prints the busy milliseconds of every second to find it);
 * CPUPROF_WINDOW_US=<from>-<to> the same in microseconds of the monotonic clock (`process.hrtime.bigint() / 1000n`
 * in any process on the machine, e.g. printed by a load script at the start and end of each phase).
 */
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { fileURLToPath } from "node:url";

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type Node = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: cpuprofile-top.ts <file.cpuprofile> [top] [filter-regexp]\n");
  process.exit(2);
}
const top = Number(process.argv[3] ?? 30);
const filter = process.argv[4] ? new RegExp(process.argv[4]) : undefined;
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const absolute = /^(\d+)-(\d+)$/.exec(process.env.CPUPROF_WINDOW_US ?? "");
const window = absolute
  ? ["", String((Number(absolute[1]) - p.startTime) / 1e6), String((Number(absolute[2]) - p.startTime) / 1e6)]
  : /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(process.env.CPUPROF_WINDOW ?? "");
/** Seconds since the profile's start of each sample. */
const at: number[] = [];
for (let i = 0, t = 0; i < p.samples.length; i++) at.push((t += p.timeDeltas[i] ?? 0) / 1e6);

const maps = new Map<string, SourceMap | null>();
function mapFor(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let m: SourceMap | null = null;
    try {
      const f = url.startsWith("file://") ? fileURLToPath(url) : url;
      if (f.includes("/.next/") && existsSync(`${f}.map`))
        m = new SourceMap(JSON.parse(readFileSync(`${f}.map`, "utf8")));
    } catch {
      m = null;
    }
    maps.set(url, m);
  }
  return maps.get(url)!;
}

function short(source: string): string {
  // The inngest SDK's maps name its sources node_modules/src/…
  const sdk = source.indexOf("node_modules/src/");
  if (sdk >= 0) return `inngest:${source.slice(sdk + 17)}`;
  const nm = source.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = source.slice(nm + 13).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return source
    .replace(/^file:\/\//, "")
    .replace(/^(\.\.\/)+/, "")
    .replace(/^.*\/(app|lib|inngest|scripts)\//, "$1/");
}

type Frame = { fn: string; file: string; line: number };
const resolved = new Map<number, Frame>();
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

function frameOf(id: number): Frame {
  let f = resolved.get(id);
  if (f) return f;
  const cf = byId.get(id)!.callFrame;
  f = { fn: cf.functionName || "(anonymous)", file: cf.url ? short(cf.url) : "(native / V8)", line: cf.lineNumber + 1 };
  const m = cf.url ? mapFor(cf.url) : null;
  if (m) {
    const e = m.findEntry(cf.lineNumber, cf.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
      name?: string;
    };
    if (e?.originalSource)
      f = {
        fn: e.name && cf.functionName.length <= 2 ? e.name : f.fn,
        file: short(e.originalSource),
        line: (e.originalLine ?? 0) + 1,
      };
  }
  resolved.set(id, f);
  return f;
}

const selfFn = new Map<string, number>();
const selfFile = new Map<string, number>();
const totalFn = new Map<string, number>();
const totalFile = new Map<string, number>();
let total = 0;
if (process.env.CPUPROF_HIST) {
  const busy = new Map<number, number>();
  p.samples.forEach((id, i) => {
    if (byId.get(id)!.callFrame.functionName === "(idle)") return;
    const s = Math.floor(at[i]!);
    busy.set(s, (busy.get(s) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  process.stdout.write("busy ms per second since the start:\n");
  for (const [s, ms] of [...busy].sort((a, b) => a[0] - b[0])) process.stdout.write(`${s}\t${ms.toFixed(0)}\n`);
}

p.samples.forEach((id, i) => {
  const dt = p.timeDeltas[i] ?? 0;
  if (window && (at[i]! < Number(window[1]) || at[i]! >= Number(window[2]))) return;
  const stack: Frame[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(frameOf(cur));
  if (filter && !stack.some((f) => filter.test(`${f.fn} ${f.file}`))) return;
  total += dt;
  const leaf = stack[0]!;
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + dt);
  add(selfFn, `${leaf.fn}  ${leaf.file}:${leaf.line}`);
  add(selfFile, leaf.file);
  const seenFn = new Set<string>();
  const seenFile = new Set<string>();
  for (const f of stack) {
    const k = `${f.fn}  ${f.file}`;
    if (!seenFn.has(k)) {
      seenFn.add(k);
      add(totalFn, k);
    }
    if (!seenFile.has(f.file)) {
      seenFile.add(f.file);
      add(totalFile, f.file);
    }
  }
});

const show = (m: Map<string, number>, title: string) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, t] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((t / total) * 100).toFixed(1).padStart(5)} %  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}\n`,
    );
  }
};
process.stdout.write(
  `${file}: ${(total / 1e6).toFixed(1)} s sampled${filter ? ` (stacks matching ${filter})` : ""}` +
    `${window ? ` (seconds ${Number(window[1]).toFixed(1)}–${Number(window[2]).toFixed(1)} of the profile)` : ""}\n`,
);
show(selfFile, "self time by source file / package");
show(selfFn, "self time by function");
show(totalFile, "inclusive time by source file / package");
show(totalFn, "inclusive time by function");
