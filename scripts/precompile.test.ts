import { spawnSync } from "node:child_process";
import { readFileSync, statSync, utimesSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PRECOMPILED_DIR, precompiled } from "@/scripts/precompile.mjs";
import { REPO_ROOT } from "@/test/soak/app-process";

/**
 * `npm start` runs the launcher and the executor worker as bundles precompiled from their TypeScript
 * (scripts/precompile.mjs), without tsx: they must be rebuilt when a source changes, and must load
 * under plain Node (every package import resolvable natively, e.g. `next/server`).
 */

type Manifest = { builtAt: number; inputs: string[] };
const manifest = (): Manifest =>
  JSON.parse(readFileSync(path.join(PRECOMPILED_DIR, "manifest.json"), "utf8")) as Manifest;

describe("precompiled launcher and executor worker", () => {
  it("lists every source it was built from and is rebuilt when one of them is newer", async () => {
    expect(await precompiled()).toBe(PRECOMPILED_DIR);
    const first = manifest();
    for (const f of ["scripts/launch.ts", "scripts/executor-worker.ts", "inngest/embedded/executor.ts", "lib/env.ts"])
      expect(first.inputs).toContain(f);
    expect(await precompiled()).toBe(PRECOMPILED_DIR);
    expect(manifest().builtAt).toBe(first.builtAt); // fresh: not rebuilt

    const source = path.join(REPO_ROOT, "lib/env.ts");
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(Date.now() + 1000)); // as if saved just now
      expect(await precompiled()).toBe(PRECOMPILED_DIR);
      expect(manifest().builtAt).toBeGreaterThan(first.builtAt);
    } finally {
      utimesSync(source, atime, mtime);
    }
  });

  it("loads under plain Node, without tsx: the worker bundle gets as far as asking for its IPC channel", async () => {
    await precompiled();
    const run = spawnSync(
      process.execPath,
      ["--conditions=react-server", path.join(PRECOMPILED_DIR, "executor-worker.mjs")],
      { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_OPTIONS: "" } },
    );
    expect(run.stderr).toContain("the executor worker is started by scripts/launch.ts");
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|ERR_UNSUPPORTED/);
    expect(run.status).toBe(2);
  });
});
