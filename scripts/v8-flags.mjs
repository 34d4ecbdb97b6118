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
 * Heap sizes, which V8 takes from the command line only: the launcher's are in
 * package.json's "start" script (`npm start`), the executor worker's are given
 * by the launcher when it forks it (dev and start alike).
 *
 * --max-old-space-size=256  V8 sizes its heap by the memory it may use: with
 *                           the default limit (a quarter of the RAM, 4 GB on
 *                           a 16–24 GB machine) it lets garbage pile up to
 *                           2–3× the live heap before a full collection; a
 *                           256 MB cap makes it collect sooner. Live heaps
 *                           under load, measured: launcher with Next.js
 *                           70–90 MB, worker 50–70 MB.
 * --max-semi-space-size=8   The young generation: V8's default semi-space is
 *                           16 MB whatever the old-space cap, and under load
 *                           both processes kept 32 MB of new space committed
 *                           (two semi-spaces) while 1–14 MB of it was in use.
 *                           8 MB: 16 MB less per process; 4 MB saved only a
 *                           few MB more and cost CPU (more scavenges, more
 *                           objects promoted before they die).
 * Measured, `bench:delivery --shape wide --events 100` (README, "Memory"):
 * peak RSS of launcher + worker 761 MB before the first caps, 508 MB with no
 * heap flag, 383 MB with both old-space caps, 311 MB with
 * --max-semi-space-size=2 as well (app CPU per delivery then 2.9, 3.1, 3.5,
 * 4.3 ms, before the batched fan-out). With the batched fan-out: 395–413 MB
 * with the old-space caps alone, 356–384 MB with --max-semi-space-size=8 as
 * well, at the same CPU per delivery (1.23–1.26 ms in alternating runs);
 * --max-semi-space-size=4: 358–361 MB, 1.19–1.45 ms. Re-measure when the
 * delivery path's allocations change.
 */
export const HEAP_FLAGS = ["--max-old-space-size=256", "--max-semi-space-size=8"];

/**
 * Environment both processes start with, read by the C library at process
 * start (so set on the command line: package.json's "start" script for the
 * launcher, the launcher's fork for the worker; a value already in the
 * environment wins). glibc only: other C libraries (musl, macOS) ignore them.
 *
 * MALLOC_ARENA_MAX=2            glibc gives each thread that allocates its own
 *                               malloc arena (up to 8 per core), and freed
 *                               memory stays in the arena it came from: V8's
 *                               compiler and GC threads and libuv's pool left
 *                               16–29 MB per process in 5–8 arenas under load
 *                               (/proc/<pid>/smaps). Two arenas: the launcher's
 *                               malloc total 43–50 → ≈ 27 MB.
 * MALLOC_TRIM_THRESHOLD_=131072 glibc's defaults (128 KB), fixed: by default it
 * MALLOC_MMAP_THRESHOLD_=131072 raises both each time a large block is freed,
 *                               after which large blocks come from the heap
 *                               and freed memory stays there. Fixed: the
 *                               main heap held 10–14 MB under load instead of
 *                               20–26 MB; wide peak 348–356 → 327–331 MB at
 *                               the same CPU per delivery (alternating runs).
 */
export const START_ENV = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_TRIM_THRESHOLD_: "131072",
  MALLOC_MMAP_THRESHOLD_: "131072",
};

export const RUNTIME_V8_FLAGS = ["--liftoff-only"];

export function applyV8Flags() {
  for (const flag of RUNTIME_V8_FLAGS) v8.setFlagsFromString(flag);
}
