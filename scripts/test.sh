#!/usr/bin/env bash
# `npm test`: lint, format check, type-check, unit + integration tests on a real embedded PostgreSQL,
# production build, then the Playwright suite in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
unset DATABASE_URL

echo "== lint (ESLint)"
npm run --silent lint

echo "== format check (Prettier)"
npm run --silent format:check

echo "== type-check"
npx tsc --noEmit

echo "== production build (the soak test and the e2e suite run it)"
npx next build

echo "== unit and integration tests (vitest, embedded PostgreSQL)"
npx vitest run

echo "== end-to-end tests (Playwright)"
if [ -z "${CHROMIUM_PATH:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "no system Chromium: installing Playwright's own"
  npx playwright install chromium
fi
rm -rf .data/e2e
npx playwright test
