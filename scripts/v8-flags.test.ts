import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HEAP_FLAGS } from "@/scripts/v8-flags.mjs";
import { REPO_ROOT } from "@/test/soak/app-process";

/** `npm start` sizes the launcher's heap as the launcher sizes its worker's (scripts/v8-flags.mjs). */
describe("heap sizes of the production processes", () => {
  it("npm start passes HEAP_FLAGS to the launcher, and the launcher to the executor worker", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.start).toBe(`node ${HEAP_FLAGS.join(" ")} scripts/launch.mjs start`);
    expect(readFileSync(path.join(REPO_ROOT, "scripts/launch.ts"), "utf8")).toMatch(
      /execArgv: \[[^\]]*\.\.\.HEAP_FLAGS\]/,
    );
  });
});
