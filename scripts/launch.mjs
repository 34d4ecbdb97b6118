/**
 * `npm run dev` / `npm start` entry: loads the launcher (scripts/launch.ts)
 * through tsx's ESM hooks alone, scoped to it. Next.js, which the launcher
 * runs in this process, then loads its CommonJS server bundles natively: with
 * `node --import tsx` (which also hooks `require`) its start-up and every
 * first request took about twice as long. `node --import tsx scripts/launch.ts`
 * still works.
 */
import { tsImport } from "tsx/esm/api";

await tsImport("./launch.ts", import.meta.url);
