/** Entry of the executor worker (see executor-worker.ts): its TypeScript through tsx's ESM hooks alone, as scripts/launch.mjs. */
import { tsImport } from "tsx/esm/api";

await tsImport("./executor-worker.ts", import.meta.url);
