/**
 * `npm run dev` / `npm start` entry of the launcher (scripts/launch.ts).
 *
 * `npm start` runs it, and the executor worker it forks, as JavaScript
 * precompiled from the TypeScript (scripts/precompile.mjs): no tsx in the
 * production processes. `npm run dev` loads it through tsx's ESM hooks
 * alone, scoped to it. Next.js, which the launcher runs in this process,
 * loads its CommonJS server bundles natively either way: with `node --import
 * tsx` (which also hooks `require`) its start-up and every first request
 * took about twice as long. `node --import tsx scripts/launch.ts` still works.
 */
import { pathToFileURL } from "node:url";
import { applyV8Flags } from "./v8-flags.mjs";

applyV8Flags();

const dir =
  process.argv[2] === "start" && process.env.AKOL_PRECOMPILE !== "0"
    ? await (await import("./precompile.mjs")).precompiled()
    : undefined;
if (dir) {
  process.env.AKOL_PRECOMPILED_DIR = dir; // the executor worker (scripts/executor-worker.mjs) runs its bundle too
  await import(pathToFileURL(`${dir}/launch.mjs`).href);
} else {
  delete process.env.AKOL_PRECOMPILED_DIR;
  const { tsImport } = await import("tsx/esm/api");
  await tsImport("./launch.ts", import.meta.url);
}
