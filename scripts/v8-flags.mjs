/**
 * V8 flags the app's two processes (the launcher with Next.js, the executor
 * worker) set for themselves first thing, before any WebAssembly is compiled
 * (README, "Memory"):
 *
 * --liftoff-only  Prisma's query compiler is WebAssembly; V8 compiles it with
 *                 its baseline compiler (Liftoff) and then recompiles hot
 *                 functions with TurboFan, whose code and compilation memory
 *                 stay resident. Liftoff alone: 35–65 MB less RSS per process
 *                 that uses Prisma, and the same CPU per Prisma query once
 *                 warm (0.23–0.26 ms either way over 1,200 queries after 2,000,
 *                 measured; less before, as nothing is recompiled). V8 lists
 *                 the flag "for testing"; were a later V8 to drop it, it would
 *                 print "unrecognized flag" once and run as before.
 */
import v8 from "node:v8";

/**
 * Heap size, which V8 takes from the command line only: the launcher's is in
 * package.json's "start" script (`npm start`), the executor worker's is given
 * by the launcher when it forks it (dev and start alike).
 *
 * --max-old-space-size=256  V8 sizes its heap by the memory it may use: with
 *                           the default limit (a quarter of the RAM, 4 GB on
 *                           a 16–24 GB machine) it lets garbage pile up to
 *                           2–3× the live heap before a full collection; a
 *                           256 MB cap makes it collect sooner. Live heaps
 *                           under load, measured: launcher with Next.js
 *                           70–90 MB, worker 50–70 MB.
 * Measured, `bench:delivery --shape wide --events 100` (README, "Memory"):
 * peak RSS of launcher + worker 761 MB before this change set, 508 MB with
 * no heap flag, 506 MB with the launcher's cap alone, 383 MB with both
 * capped, 311 MB with --max-semi-space-size=2 as well; app CPU per delivery
 * (2.9 ms before) pays for it: 3.1, 3.1, 3.5, 4.3 ms. Hence both capped,
 * without the semi-space cap. Re-measure when the delivery path's
 * allocations change.
 */
export const HEAP_FLAGS = ["--max-old-space-size=256"];

export const RUNTIME_V8_FLAGS = ["--liftoff-only"];

export function applyV8Flags() {
  for (const flag of RUNTIME_V8_FLAGS) v8.setFlagsFromString(flag);
}
