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

export const RUNTIME_V8_FLAGS = ["--liftoff-only"];

export function applyV8Flags() {
  for (const flag of RUNTIME_V8_FLAGS) v8.setFlagsFromString(flag);
}
