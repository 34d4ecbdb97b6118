/**
 * Entry of the executor worker (see executor-worker.ts): under `npm start` its
 * precompiled bundle (scripts/precompile.mjs, built by the launcher), otherwise
 * its TypeScript through tsx's ESM hooks alone, as scripts/launch.mjs.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { applyV8Flags } from "./v8-flags.mjs";

applyV8Flags();

const dir = process.env.AKOL_PRECOMPILED_DIR;
if (dir) {
  await import(pathToFileURL(path.join(dir, "executor-worker.mjs")).href);
} else {
  const { tsImport } = await import("tsx/esm/api");
  await tsImport("./executor-worker.ts", import.meta.url);
}
