#!/usr/bin/env bash
# Generates the next SQL migration from prisma/schema.prisma, offline.
#
#   scripts/migration-diff.sh [--from-empty] [--force] <migration_name>
#
# Prisma 7's CLI cannot run `migrate dev`/`migrate diff` here (its native schema
# engine cannot be downloaded), so this uses Prisma 6.19's Wasm schema engine
# from scripts/prisma6 (installed on first use) to diff
#   old: prisma/schema.prisma as committed at HEAD (or nothing: --from-empty,
#        used automatically when HEAD has no schema or no migration exists yet)
#   new: prisma/schema.prisma in the working copy
# and writes prisma/migrations/<UTC yyyymmddHHMMSS>_<name>/migration.sql, the
# layout `prisma migrate deploy` and lib/db/migrate.ts read. No database is
# touched. Prints the path of the new file; refuses to write an empty migration.
#
# Review the SQL before committing it (renames come out as drop + add, and
# data-preserving steps have to be written by hand).
#
# Options:
#   --from-empty  diff from an empty database instead of HEAD's schema
#   --force       generate even though prisma/migrations holds migrations that
#                 are not committed yet (their changes would be repeated)
set -euo pipefail
export LC_ALL=C

usage() {
  sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
P6="$ROOT/scripts/prisma6"
STUB="$ROOT/scripts/prisma-engine-stub.sh"
SCHEMA="$ROOT/prisma/schema.prisma"
MIGRATIONS="$ROOT/prisma/migrations"

from_empty=0
force=0
name=""
while [ $# -gt 0 ]; do
  case "$1" in
    --from-empty) from_empty=1 ;;
    --force) force=1 ;;
    -h | --help) usage ;;
    -*) echo "migration-diff: unknown option $1" >&2; usage ;;
    *)
      [ -z "$name" ] || { echo "migration-diff: one migration name only" >&2; usage; }
      name="$1"
      ;;
  esac
  shift
done
[ -n "$name" ] || usage
if ! [[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || [ ${#name} -gt 200 ]; then
  echo "migration-diff: the name may use letters, digits and _ only (e.g. add_webhook_tags)" >&2
  exit 2
fi
[ -f "$SCHEMA" ] || { echo "migration-diff: $SCHEMA not found" >&2; exit 1; }

# 1. Prisma 6 (its own folder, git-ignored node_modules), installed on first use
#    or when scripts/prisma6/package.json asks for another version.
need_install() {
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const want = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).dependencies;
    for (const [pkg, version] of Object.entries(want)) {
      const file = path.join(dir, "node_modules", pkg, "package.json");
      if (!fs.existsSync(file) || JSON.parse(fs.readFileSync(file, "utf8")).version !== version) process.exit(0);
    }
    process.exit(1);
  ' "$P6"
}
if need_install; then
  echo "migration-diff: installing Prisma 6 into scripts/prisma6 ..." >&2
  npm install --prefix "$P6" --no-audit --no-fund >&2
fi

# 2. Old and new schema, each given the dummy datasource url Prisma 6 insists on.
tmp="$(mktemp -d "${TMPDIR:-/tmp}/migration-diff.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

with_dummy_url() { # <in> <out>: drop any url lines of the datasource block, add ours
  awk '
    /^[[:space:]]*datasource[[:space:]]+[A-Za-z0-9_]+[[:space:]]*\{/ { print; print "  url = \"postgresql://unused\""; inds = 1; next }
    inds && /^[[:space:]]*\}/ { inds = 0 }
    inds && /^[[:space:]]*(url|directUrl|shadowDatabaseUrl)[[:space:]]*=/ { next }
    { print }
  ' "$1" > "$2"
}

committed_migrations() { git -C "$ROOT" ls-tree -d --name-only HEAD prisma/migrations/ 2>/dev/null | sed 's|.*/||' || true; }
local_migrations() {
  [ -d "$MIGRATIONS" ] || return 0
  for d in "$MIGRATIONS"/*/; do
    [ -f "$d/migration.sql" ] && basename "$d"
  done
  return 0
}

if [ "$from_empty" = 0 ]; then
  if ! git -C "$ROOT" show HEAD:prisma/schema.prisma > "$tmp/head.prisma" 2>/dev/null; then
    echo "migration-diff: HEAD has no prisma/schema.prisma: diffing from an empty database" >&2
    from_empty=1
  elif [ -z "$(local_migrations)" ]; then
    echo "migration-diff: no migration exists yet: diffing from an empty database" >&2
    from_empty=1
  fi
fi

uncommitted="$(comm -13 <(committed_migrations | sort) <(local_migrations | sort))"
if [ -n "$uncommitted" ] && [ "$force" = 0 ] && [ "$from_empty" = 0 ]; then
  {
    echo "migration-diff: these migrations are not committed yet:"
    echo "$uncommitted" | sed 's/^/  prisma\/migrations\//'
    echo "The diff from HEAD's schema would repeat their changes. Commit them first"
    echo "(or delete them to regenerate one migration), or pass --force."
  } >&2
  exit 1
fi

with_dummy_url "$SCHEMA" "$tmp/new.prisma"
if [ "$from_empty" = 1 ]; then
  from=(--from-empty)
else
  with_dummy_url "$tmp/head.prisma" "$tmp/old.prisma"
  from=(--from-schema-datamodel "$tmp/old.prisma")
fi

# 3. Diff with the Wasm engine (scripts/prisma6/prisma.config.ts: engine "js",
#    an adapter that is never connected). The native engines are never used:
#    stubs keep the CLI from trying to download them.
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$STUB}"
export PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-$STUB}"
export CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1 NO_COLOR=1
if ! (cd "$P6" && ./node_modules/.bin/prisma migrate diff --config prisma.config.ts \
  "${from[@]}" --to-schema-datamodel "$tmp/new.prisma" --script) > "$tmp/migration.sql" 2> "$tmp/stderr"; then
  echo "migration-diff: prisma migrate diff failed:" >&2
  cat "$tmp/stderr" >&2
  exit 1
fi

# Prisma writes "-- This is an empty migration." when nothing changed.
if ! grep -v -E '^[[:space:]]*(--.*)?$' "$tmp/migration.sql" > /dev/null; then
  echo "migration-diff: schema.prisma has no changes to migrate: nothing written" >&2
  exit 3
fi

# 4. Prisma's layout: <UTC timestamp>_<name>/migration.sql + migration_lock.toml.
stamp="$(date -u +%Y%m%d%H%M%S)"
latest="$(local_migrations | sort | tail -n 1)"
if [ -n "$latest" ] && [[ ! "${stamp}_$name" > "$latest" ]]; then
  echo "migration-diff: ${stamp}_$name would not sort after $latest (clock?); refusing" >&2
  exit 1
fi
out="$MIGRATIONS/${stamp}_$name"
if [ -e "$out" ]; then
  echo "migration-diff: $out already exists" >&2
  exit 1
fi
mkdir -p "$out"
printf '%s\n' "$(cat "$tmp/migration.sql")" > "$out/migration.sql" # one final newline, like Prisma's files
if [ ! -f "$MIGRATIONS/migration_lock.toml" ]; then
  printf '%s\n' \
    '# Please do not edit this file manually' \
    '# It should be added in your version-control system (e.g., Git)' \
    'provider = "postgresql"' > "$MIGRATIONS/migration_lock.toml"
fi
echo "prisma/migrations/${stamp}_$name/migration.sql"
