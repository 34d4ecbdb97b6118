/**
 * `npm start`: the launcher (scripts/launch.ts) and the executor worker
 * (scripts/executor-worker.ts) run as plain JavaScript, bundled by esbuild
 * from their TypeScript (this repository's code only: packages stay in
 * node_modules and resolve as usual), instead of through tsx's module hooks.
 * Those hooks run on a loader thread with its own V8 heap in each process:
 * about 40 MB of RSS per process before any module loads, more with the
 * app's modules through them (README, "Memory").
 *
 * The bundles live in .next/akol-server/ and are rebuilt (≈ 0.2 s) when
 * missing or when any file they were built from is newer (esbuild's
 * metafile lists them), so an edited source or a fresh `next build` never
 * runs stale code. Each file is written aside and renamed into place: two
 * instances starting at once from one checkout both read whole files.
 * `npm run dev` keeps tsx (its worker restarts on changed sources).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const PRECOMPILED_DIR = path.join(ROOT, ".next", "akol-server");
const ENTRIES = ["launch", "executor-worker"];
/** Bumped when the build options change: older bundles are rebuilt. */
const FORMAT = 1;
/** Files whose change may alter the bundles without being inputs of them. */
const ALSO = ["tsconfig.json", "package.json", "scripts/precompile.mjs"];

function manifestPath() {
  return path.join(PRECOMPILED_DIR, "manifest.json");
}

/** True when every bundle exists and none of the files it was built from changed since. */
function fresh() {
  try {
    const m = JSON.parse(readFileSync(manifestPath(), "utf8"));
    if (m.format !== FORMAT || !Array.isArray(m.inputs)) return false;
    for (const e of ENTRIES) if (!existsSync(path.join(PRECOMPILED_DIR, `${e}.mjs`))) return false;
    return m.inputs.every((f) => statSync(path.join(ROOT, f)).mtimeMs < m.builtAt);
  } catch {
    return false;
  }
}

/**
 * A bare import of a package without an `exports` map (e.g. `next/server`)
 * resolves in CommonJS and under tsx but not in native ESM, which adds no
 * extension: point it at the `.js` file that CommonJS would load.
 */
const nodeSubpaths = {
  name: "node-esm-subpaths",
  setup(build) {
    build.onResolve({ filter: /^(@[^/]+\/)?[^./@][^/]*\/.+/ }, (args) => {
      const m = /^((?:@[^/]+\/)?[^/]+)\/(.+)$/.exec(args.path);
      if (!m || path.extname(m[2])) return undefined;
      const dir = path.join(ROOT, "node_modules", m[1]);
      try {
        const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
        if (pkg.exports === undefined && existsSync(path.join(dir, `${m[2]}.js`)))
          return { path: `${args.path}.js`, external: true };
      } catch {
        // not an installed package (a path alias such as @/lib/…): esbuild resolves it
      }
      return undefined;
    });
  },
};

async function build() {
  const esbuild = await import("esbuild");
  const builtAt = Date.now(); // before the sources are read: a file saved during the build counts as newer
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: Object.fromEntries(ENTRIES.map((e) => [e, `scripts/${e}.ts`])),
      bundle: true,
      packages: "external",
      plugins: [nodeSubpaths],
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      outdir: PRECOMPILED_DIR,
      outExtension: { ".js": ".mjs" },
      metafile: true,
      logLevel: "silent",
    });
    mkdirSync(PRECOMPILED_DIR, { recursive: true });
    const put = (file, contents) => {
      const aside = `${file}.${process.pid}.tmp`;
      writeFileSync(aside, contents);
      renameSync(aside, file);
    };
    for (const f of result.outputFiles) put(f.path, f.contents);
    const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...ALSO])];
    put(manifestPath(), JSON.stringify({ format: FORMAT, builtAt, inputs }));
  } finally {
    await esbuild.stop(); // its service process would otherwise stay, a child of the app
  }
}

/**
 * The directory of up-to-date bundles (built now if needed), or undefined
 * if they cannot be built (no esbuild, a read-only checkout): the caller then
 * runs the TypeScript through tsx, as before.
 */
export async function precompiled() {
  if (fresh()) return PRECOMPILED_DIR;
  try {
    await build();
    return PRECOMPILED_DIR;
  } catch (err) {
    process.stderr.write(`[akol] running the TypeScript through tsx (no precompiled bundle: ${String(err)})\n`);
    return undefined;
  }
}
