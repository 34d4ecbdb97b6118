// ESLint flat config: Next's core-web-vitals + TypeScript presets (React, react-hooks incl. the
// React Compiler rules, jsx-a11y, import, @next/next, typescript-eslint recommended), plus the
// project's own rules below. Formatting is Prettier's job (`npm run format`), not ESLint's.
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const CODE = "**/*.{js,jsx,mjs,ts,tsx,mts,cts}";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    ".data/**",
    "lib/generated/**",
    "scripts/prisma6/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
  ]),
  {
    files: [CODE],
    settings: { "import/internal-regex": "^@/" },
    rules: {
      // Node/npm packages first, then the project's `@/…` modules, then relative paths.
      "import/order": [
        "error",
        { groups: ["builtin", "external", "internal", ["parent", "sibling", "index"]], "newlines-between": "never" },
      ],
      "import/first": "error",
      "import/no-duplicates": "error",
      "import/no-self-import": "error",
      "react-hooks/exhaustive-deps": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      "@typescript-eslint/no-unused-expressions": "error",
      eqeqeq: ["error", "smart"],
      "no-var": "error",
    },
  },
  {
    // Production code never imports test scaffolding (test/, e2e/). Tests (*.test.ts) and the
    // benchmarks (scripts/bench, which drive test/support's executor and receiver) may, and so may
    // scripts/audit-ui.ts (it seeds deliveries through test/support's HTTPS receiver).
    files: ["{app,components,lib,inngest,scripts}/**/*.{ts,tsx}", "*.ts"],
    ignores: ["**/*.test.ts", "scripts/bench/**", "scripts/audit-ui.ts", "vitest.config.ts", "playwright.config.ts"],
    rules: {
      "import/no-restricted-paths": [
        "error",
        {
          zones: [
            {
              target: "./",
              from: ["./test", "./e2e"],
              message: "Production code must not import test scaffolding (test/, e2e/).",
            },
          ],
        },
      ],
    },
  },
  {
    // Playwright fixtures call `use(...)` and the test helpers have `use…` names that are not React hooks.
    files: ["e2e/**", "test/**", "**/*.test.ts", "scripts/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // CommonJS preload scripts (node --require).
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs" },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
]);
