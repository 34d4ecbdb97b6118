import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEAP_FLAGS, START_ENV } from "@/scripts/v8-flags.mjs";
import { REPO_ROOT } from "@/test/soak/app-process";

/** `npm start` sizes the launcher's heap and malloc arenas as the launcher sizes its worker's (scripts/v8-flags.mjs). */
describe("heap sizes of the production processes", () => {
  it("npm start passes HEAP_FLAGS and START_ENV to the launcher, and the launcher to the executor worker", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    const env = Object.entries(START_ENV).map(([k, v]) => `${k}=${v} `);
    expect(pkg.scripts.start).toBe(`${env.join("")}node ${HEAP_FLAGS.join(" ")} scripts/launch.mjs start`);
    const launcher = readFileSync(path.join(REPO_ROOT, "scripts/launch.ts"), "utf8");
    expect(launcher).toMatch(/execArgv: \[[^\]]*\.\.\.HEAP_FLAGS\]/);
    expect(launcher).toMatch(/env: \{ \.\.\.START_ENV, \.\.\.process\.env \}/); // a value set by the user wins
  });
});
