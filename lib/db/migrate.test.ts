import { createHash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate, readMigrations } from "@/lib/db/migrate";

/**
 * The migration runner against a real PostgreSQL (the test harness's server),
 * and the drift check: the database the committed migrations build must match
 * prisma/schema.prisma. No Prisma command can check drift here (its native
 * schema engine cannot be downloaded), so this test reads the schema through
 * Prisma's own Wasm schema engine (the DMMF, as `prisma generate` sees it)
 * and compares it with pg_catalog. If it fails after a schema change, run
 * `scripts/migration-diff.sh <name>` and commit the migration.
 */

const SCHEMA_FILE = path.resolve(process.cwd(), "prisma/schema.prisma");

// ---------------------------------------------------------------------------
// Scratch databases on the harness's server
// ---------------------------------------------------------------------------

function databaseUrl(name: string): string {
  const url = new URL(process.env.DATABASE_URL ?? "");
  url.pathname = `/${name}`;
  return url.toString();
}

const scratch: string[] = [];

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: databaseUrl("postgres") });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** A new empty database (from template1); dropped after the file's tests. */
async function freshDatabase(): Promise<string> {
  const name = `akol_migrate_${randomBytes(5).toString("hex")}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  scratch.push(name);
  return databaseUrl(name);
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

type MigrationRow = {
  id: string;
  migration_name: string;
  checksum: string;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
};

function migrationRows(url: string): Promise<MigrationRow[]> {
  return withClient(url, async (c) => {
    const res = await c.query<MigrationRow>(
      `SELECT id, migration_name, checksum, started_at, finished_at, rolled_back_at, logs, applied_steps_count
       FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    );
    return res.rows;
  });
}

/** The migration folders on disk, with sha256 of each file computed here (not by the code under test). */
function migrationsOnDisk(dir = MIGRATIONS_DIR): { name: string; checksum: string }[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({
      name,
      checksum: createHash("sha256")
        .update(readFileSync(path.join(dir, name, "migration.sql")))
        .digest("hex"),
    }));
}

/** A temporary copy of prisma/migrations, for tests that tamper with it. */
function copyOfMigrations(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "akol-migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

const tempDirs: string[] = [];

afterAll(async () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  if (scratch.length) {
    await withAdmin(async (admin) => {
      for (const name of scratch) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  }
});

// ---------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------

describe("migrate()", () => {
  const onDisk = migrationsOnDisk();

  it("has migrations to test, each folder holding a migration.sql", () => {
    expect(onDisk.length).toBeGreaterThan(0);
    expect(readMigrations().map((m) => m.name)).toEqual(onDisk.map((m) => m.name));
    expect(readFileSync(path.join(MIGRATIONS_DIR, "migration_lock.toml"), "utf8")).toMatch(
      /^provider = "postgresql"$/m,
    );
  });

  it("applies every migration to a fresh database and records it as Prisma does", async () => {
    const url = await freshDatabase();
    const logged: string[] = [];
    const before = new Date(Date.now() - 60_000);

    const applied = await migrate(url, { log: (m) => logged.push(m) });

    expect(applied).toEqual(onDisk.map((m) => m.name));
    expect(logged).toHaveLength(onDisk.length);
    const rows = await migrationRows(url);
    expect(rows.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(onDisk);
    for (const r of rows) {
      expect(r.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.finished_at!.getTime()).toBeGreaterThanOrEqual(r.started_at.getTime());
      expect(r.started_at.getTime()).toBeGreaterThan(before.getTime());
      expect(r.rolled_back_at).toBeNull();
      expect(r.logs).toBeNull();
      expect(r.applied_steps_count).toBe(1);
    }
  });

  it("applies nothing when run again", async () => {
    const url = await freshDatabase();
    await migrate(url);
    const rowsBefore = await migrationRows(url);

    expect(await migrate(url)).toEqual([]);
    expect(await migrationRows(url)).toEqual(rowsBefore);
  });

  it("applies each migration once when several runners start together (advisory lock)", async () => {
    const url = await freshDatabase();

    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);

    expect(results.flat().sort()).toEqual(onDisk.map((m) => m.name));
    expect(results.filter((r) => r.length > 0)).toHaveLength(1);
    const rows = await migrationRows(url);
    expect(rows.map((r) => r.migration_name)).toEqual(onDisk.map((m) => m.name));
    expect(rows.every((r) => r.finished_at !== null)).toBe(true);
  });

  it("refuses a migration file modified after it was applied", async () => {
    const dir = copyOfMigrations();
    tempDirs.push(dir);
    const url = await freshDatabase();
    await migrate(url, { dir });
    const first = onDisk[0]!.name;
    appendFileSync(path.join(dir, first, "migration.sql"), "\n-- edited afterwards\n");

    await expect(migrate(url, { dir })).rejects.toThrow(`migration ${first} was modified after it was applied`);
  });

  it("records a failing migration, rolls its changes back and refuses to go on", async () => {
    const dir = copyOfMigrations();
    tempDirs.push(dir);
    const bad = "99999999999999_bad";
    mkdirSync(path.join(dir, bad));
    writeFileSync(path.join(dir, bad, "migration.sql"), 'CREATE TABLE "Half" (id int);\nSELECT 1/0;\n');
    const url = await freshDatabase();

    await expect(migrate(url, { dir })).rejects.toThrow(`migration ${bad} failed: division by zero`);

    const rows = await migrationRows(url);
    expect(rows.filter((r) => r.finished_at !== null).map((r) => r.migration_name)).toEqual(onDisk.map((m) => m.name));
    const failed = rows.find((r) => r.migration_name === bad);
    expect(failed?.finished_at).toBeNull();
    expect(failed?.logs).toContain("division by zero");
    const half = await withClient(url, (c) => c.query(`SELECT to_regclass('"Half"') AS t`));
    expect(half.rows[0]).toEqual({ t: null });
    await expect(migrate(url, { dir })).rejects.toThrow(`migration ${bad} failed earlier`);
  });
});

// ---------------------------------------------------------------------------
// Drift: the migrated database against prisma/schema.prisma
// ---------------------------------------------------------------------------

/** The parts of Prisma's DMMF this check reads (from @prisma/dmmf). */
type DmmfFunctionDefault = { name: string; args: unknown[] };
type DmmfField = {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  isList: boolean;
  isRequired: boolean;
  hasDefaultValue: boolean;
  default?: string | number | boolean | DmmfFunctionDefault | unknown[];
  type: string;
  nativeType?: [string, string[]] | null;
  relationName?: string;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
};
type DmmfModel = { name: string; dbName: string | null; schema?: string | null; fields: DmmfField[] };
type DmmfEnum = { name: string; dbName?: string | null; values: { name: string; dbName: string | null }[] };
type DmmfIndex = {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string | null;
  algorithm?: string;
  fields: { name: string; sortOrder?: "asc" | "desc"; operatorClass?: string }[];
};
type Datamodel = { models: DmmfModel[]; enums: DmmfEnum[]; indexes?: DmmfIndex[] };

/** The exports of prisma_schema_build_bg.wasm (wasm-bindgen) that getDmmf uses. */
type SchemaWasm = {
  memory: WebAssembly.Memory;
  __wbindgen_externrefs: WebAssembly.Table;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __externref_table_dealloc(index: number): void;
  __wbindgen_start(): void;
  get_dmmf(ptr: number, len: number): [number, number, number, number];
};

let schemaWasm: SchemaWasm | undefined;

/**
 * Prisma's schema engine (the Wasm build the Prisma 7 CLI bundles in
 * node_modules/prisma/build; there is no separate @prisma/prisma-schema-wasm
 * package), loaded with a minimal stand-in for its wasm-bindgen glue.
 */
function loadSchemaWasm(): SchemaWasm {
  if (schemaWasm) return schemaWasm;
  const prismaDir = path.dirname(createRequire(import.meta.url).resolve("prisma/package.json"));
  const mod = new WebAssembly.Module(readFileSync(path.join(prismaDir, "build/prisma_schema_build_bg.wasm")));
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const text = (ptr: number, len: number) =>
    decoder.decode(new Uint8Array(wasmExports.memory.buffer, ptr >>> 0, len >>> 0));
  const glue: Record<string, (...args: number[]) => unknown> = {};
  for (const imp of WebAssembly.Module.imports(mod)) {
    const n = imp.name;
    if (n.startsWith("__wbg_set_message_"))
      glue[n] = () => undefined; // panic message (also thrown)
    else if (n.startsWith("__wbg_Error_")) glue[n] = (ptr, len) => new Error(text(ptr, len));
    else if (n.startsWith("__wbg___wbindgen_throw_")) {
      glue[n] = (ptr, len) => {
        throw new Error(text(ptr, len));
      };
    } else if (n === "__wbindgen_init_externref_table") {
      glue[n] = () => {
        const table = wasmExports.__wbindgen_externrefs;
        const offset = table.grow(4);
        table.set(0, undefined);
        table.set(offset + 0, undefined);
        table.set(offset + 1, null);
        table.set(offset + 2, true);
        table.set(offset + 3, false);
      };
    } else {
      throw new Error(
        `prisma_schema_build_bg.wasm wants an unknown import ${imp.module}.${n}: update loadSchemaWasm()`,
      );
    }
  }
  const instance = new WebAssembly.Instance(mod, { __wbindgen_placeholder__: glue });
  const wasmExports = instance.exports as unknown as SchemaWasm;
  wasmExports.__wbindgen_start();
  schemaWasm = wasmExports;
  return wasmExports;
}

function getDatamodel(schema: string): Datamodel {
  const wasm = loadSchemaWasm();
  const input = new TextEncoder().encode(JSON.stringify({ prismaSchema: schema, noColor: true }));
  const ptr = wasm.__wbindgen_malloc(input.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer, ptr, input.length).set(input);
  const [outPtr, outLen, errIndex, failed] = wasm.get_dmmf(ptr, input.length);
  if (failed) {
    const err: unknown = wasm.__wbindgen_externrefs.get(errIndex);
    wasm.__externref_table_dealloc(errIndex);
    throw new Error(`get_dmmf: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json = new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, outPtr >>> 0, outLen >>> 0));
  wasm.__wbindgen_free(outPtr, outLen, 1);
  const datamodel = (JSON.parse(json) as { datamodel: Datamodel }).datamodel;
  if (!Array.isArray(datamodel.indexes))
    throw new Error("this Prisma's DMMF has no datamodel.indexes: update the drift check");
  return datamodel;
}

/** One database shape, built either from the schema (expected) or from pg_catalog (actual). */
type Column = {
  type: string;
  nullable: boolean;
  /** Normalised default: null = none; "*" (expected side only) = any default. */
  default: string | null;
};
type Index = {
  table: string;
  primary: boolean;
  unique: boolean;
  method: string;
  /** `"col" [DESC] [opclass]`, in index order. */
  columns: string[];
  extra: string[];
};
type ForeignKey = {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
};
type Shape = {
  tables: Map<string, Map<string, Column>>;
  indexes: Map<string, Index>;
  foreignKeys: Map<string, ForeignKey>;
  enums: Map<string, string[]>;
  /** Objects Prisma never creates (check/exclusion constraints); expected side: none. */
  other: string[];
};

const PG_MAX_IDENTIFIER = 63;

/** Prisma's default constraint names (psl ConstraintNames), from database names. */
function defaultName(table: string, columns: string[], kind: "pkey" | "key" | "idx" | "fkey"): string {
  if (kind === "pkey")
    return `${table.length >= PG_MAX_IDENTIFIER - 5 ? table.slice(0, PG_MAX_IDENTIFIER - 5) : table}_pkey`;
  const joined = `${table}_${columns.join("_")}`;
  const limit = PG_MAX_IDENTIFIER - (kind === "fkey" ? 5 : 4);
  return `${joined.length >= limit ? joined.slice(0, limit) : joined}_${kind}`;
}

/** How PostgreSQL's format_type() names the column type Prisma creates for a field. */
function columnType(field: DmmfField, enums: Map<string, DmmfEnum>): string {
  const [native, args = []] = field.nativeType ?? [undefined, []];
  const a = args.length ? `(${args.join(",")})` : "";
  let base: string;
  if (field.kind === "enum") {
    const e = enums.get(field.type);
    base = `enum ${e?.dbName ?? field.type}`;
  } else if (native) {
    const natives: Record<string, string> = {
      Text: "text",
      VarChar: `character varying${a}`,
      Char: `character${a}`,
      Uuid: "uuid",
      Xml: "xml",
      Inet: "inet",
      Citext: "citext",
      Bit: `bit${a}`,
      VarBit: `bit varying${a}`,
      SmallInt: "smallint",
      Integer: "integer",
      BigInt: "bigint",
      Oid: "oid",
      Real: "real",
      DoublePrecision: "double precision",
      Decimal: `numeric${a}`,
      Money: "money",
      Boolean: "boolean",
      Timestamp: `timestamp${a} without time zone`,
      Timestamptz: `timestamp${a} with time zone`,
      Date: "date",
      Time: `time${a} without time zone`,
      Timetz: `time${a} with time zone`,
      Json: "json",
      JsonB: "jsonb",
      ByteA: "bytea",
    };
    const t = natives[native];
    if (!t) throw new Error(`drift check: no mapping for @db.${native} (field ${field.name}): add it to columnType()`);
    base = t;
  } else {
    const scalars: Record<string, string> = {
      String: "text",
      Int: "integer",
      BigInt: "bigint",
      Float: "double precision",
      Decimal: "numeric(65,30)",
      Boolean: "boolean",
      DateTime: "timestamp(3) without time zone",
      Json: "jsonb",
      Bytes: "bytea",
    };
    const t = scalars[field.type];
    if (!t)
      throw new Error(`drift check: no mapping for type ${field.type} (field ${field.name}): add it to columnType()`);
    base = t;
  }
  return field.isList ? `${base}[]` : base;
}

/** The default Prisma puts in the database for a field, normalised like normaliseDbDefault(). */
function expectedDefault(field: DmmfField, enums: Map<string, DmmfEnum>): string | null {
  if (!field.hasDefaultValue || field.default === undefined) return null;
  const d = field.default;
  if (Array.isArray(d)) return "*"; // list literal: presence only
  if (typeof d === "object" && d !== null) {
    switch (d.name) {
      case "now":
        return "now()";
      case "autoincrement":
        return "autoincrement()";
      case "uuid":
      case "cuid":
      case "nanoid":
      case "ulid":
        return null; // generated by Prisma Client, not by the database
      default:
        return "*"; // dbgenerated(...), sequence(...): presence only
    }
  }
  if (field.kind === "enum") {
    const value = enums.get(field.type)?.values.find((v) => v.name === d);
    return value?.dbName ?? String(d);
  }
  if (field.type === "DateTime" || field.type === "Bytes") return "*";
  return String(d);
}

/** pg_get_expr() output of a column default, normalised. */
function normaliseDbDefault(expr: string | null): string | null {
  if (expr === null) return null;
  if (expr === "CURRENT_TIMESTAMP" || expr === "now()") return "now()";
  if (/^nextval\(/.test(expr)) return "autoincrement()";
  const literal = /^'((?:[^']|'')*)'(?:::[\w" ().[\]]+)+$/.exec(expr);
  if (literal) return literal[1]!.replace(/''/g, "'");
  return expr.replace(/^\((.*)\)$/, "$1");
}

/** Attributes DMMF leaves out, read from the schema text: @relation(map: "...") per model.field. */
function relationMaps(schema: string): Map<string, string> {
  const maps = new Map<string, string>();
  for (const block of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    for (const rawLine of block[2]!.split("\n")) {
      const line = rawLine.replace(/\/\/.*$/, "");
      const field = /^\s*(\w+)\s/.exec(line)?.[1];
      const map = /@relation\([^)]*\bmap:\s*"([^"]+)"/.exec(line)?.[1];
      if (field && map) maps.set(`${block[1]}.${field}`, map);
    }
  }
  return maps;
}

const REFERENTIAL_ACTIONS: Record<string, string> = {
  Cascade: "CASCADE",
  Restrict: "RESTRICT",
  NoAction: "NO ACTION",
  SetNull: "SET NULL",
  SetDefault: "SET DEFAULT",
};

/** The database Prisma would create for this schema. */
function expectedShape(schema: string): Shape {
  const dm = getDatamodel(schema);
  const enums = new Map(dm.enums.map((e) => [e.name, e]));
  const models = new Map(dm.models.map((m) => [m.name, m]));
  const tableOf = (model: string) => {
    const m = models.get(model);
    if (!m) throw new Error(`unknown model ${model}`);
    return m.dbName ?? m.name;
  };
  const columnOf = (model: string, field: string) => {
    const f = models.get(model)?.fields.find((x) => x.name === field);
    if (!f) throw new Error(`unknown field ${model}.${field}`);
    return f.dbName ?? f.name;
  };
  const shape: Shape = { tables: new Map(), indexes: new Map(), foreignKeys: new Map(), enums: new Map(), other: [] };
  const fkMaps = relationMaps(schema);
  const prismaRelations = /^\s*relationMode\s*=\s*"prisma"/m.test(schema);

  for (const e of dm.enums) shape.enums.set(e.dbName ?? e.name, e.values.map((v) => v.dbName ?? v.name).sort());

  for (const model of dm.models) {
    if (model.schema) throw new Error(`drift check: @@schema (model ${model.name}) is not supported`);
    const table = tableOf(model.name);
    const columns = new Map<string, Column>();
    for (const f of model.fields) {
      if (f.kind === "unsupported")
        throw new Error(`drift check: Unsupported type (${model.name}.${f.name}) is not supported`);
      if (f.kind === "object") {
        const from = f.relationFromFields ?? [];
        if (from.length === 0) {
          const other = models.get(f.type)?.fields.find((x) => x.relationName === f.relationName && x !== f);
          if (f.isList && other?.isList)
            throw new Error(`drift check: implicit many-to-many ${f.relationName} is not supported`);
          continue;
        }
        if (prismaRelations) continue;
        const cols = from.map((x) => columnOf(model.name, x));
        const name = fkMaps.get(`${model.name}.${f.name}`) ?? defaultName(table, cols, "fkey");
        shape.foreignKeys.set(name, {
          table,
          columns: cols,
          refTable: tableOf(f.type),
          refColumns: (f.relationToFields ?? []).map((x) => columnOf(f.type, x)),
          onDelete: REFERENTIAL_ACTIONS[f.relationOnDelete ?? (f.isRequired ? "Restrict" : "SetNull")] ?? "?",
          onUpdate: REFERENTIAL_ACTIONS[f.relationOnUpdate ?? "Cascade"] ?? "?",
        });
        continue;
      }
      columns.set(f.dbName ?? f.name, {
        type: columnType(f, enums),
        // Prisma creates scalar lists without NOT NULL.
        nullable: f.isList || !f.isRequired,
        default: expectedDefault(f, enums),
      });
    }
    shape.tables.set(table, columns);
  }

  for (const idx of dm.indexes ?? []) {
    if (idx.type === "fulltext") throw new Error("drift check: fulltext indexes are not supported");
    const table = tableOf(idx.model);
    const cols = idx.fields.map((f) => columnOf(idx.model, f.name));
    const kind = idx.type === "id" ? "pkey" : idx.type === "unique" ? "key" : "idx";
    shape.indexes.set(idx.dbName ?? defaultName(table, cols, kind), {
      table,
      primary: idx.type === "id",
      unique: idx.type !== "normal",
      method: (idx.algorithm ?? "btree").toLowerCase(),
      columns: idx.fields.map(
        (f, i) => `"${cols[i]}"${f.sortOrder === "desc" ? " DESC" : ""}${f.operatorClass ? ` ${f.operatorClass}` : ""}`,
      ),
      extra: [],
    });
  }
  return shape;
}

const FK_ACTIONS: Record<string, string> = {
  a: "NO ACTION",
  r: "RESTRICT",
  c: "CASCADE",
  n: "SET NULL",
  d: "SET DEFAULT",
};

/** The database as it is, from pg_catalog (current schema; Prisma's own table left out). */
async function actualShape(url: string): Promise<Shape> {
  return withClient(url, async (c) => {
    const shape: Shape = { tables: new Map(), indexes: new Map(), foreignKeys: new Map(), enums: new Map(), other: [] };
    const ours = `n.nspname = current_schema() AND tc.relname <> '_prisma_migrations'`;

    const tables = await c.query<{ table: string }>(
      `SELECT tc.relname AS table FROM pg_class tc JOIN pg_namespace n ON n.oid = tc.relnamespace
       WHERE tc.relkind IN ('r', 'p') AND ${ours}`,
    );
    for (const t of tables.rows) shape.tables.set(t.table, new Map());

    const columns = await c.query<{
      table: string;
      column: string;
      type: string;
      enum: string | null;
      nullable: boolean;
      default: string | null;
      identity: string;
      generated: string;
    }>(
      `SELECT tc.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
              CASE WHEN t.typtype = 'e' THEN t.typname WHEN el.typtype = 'e' THEN el.typname || '[]' END AS enum,
              NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default,
              a.attidentity AS identity, a.attgenerated AS generated
       FROM pg_class tc
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum > 0 AND NOT a.attisdropped
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type el ON el.oid = t.typelem AND t.typcategory = 'A'
       LEFT JOIN pg_attrdef d ON d.adrelid = tc.oid AND d.adnum = a.attnum
       WHERE tc.relkind IN ('r', 'p') AND ${ours}
       ORDER BY tc.relname, a.attnum`,
    );
    for (const col of columns.rows) {
      let def = normaliseDbDefault(col.default);
      if (col.identity) def = "autoincrement()";
      if (col.generated) def = `generated ${col.default ?? ""}`;
      shape.tables.get(col.table)?.set(col.column, {
        type: col.enum ? `enum ${col.enum}` : col.type,
        nullable: col.nullable,
        default: def,
      });
    }

    const indexes = await c.query<{
      name: string;
      table: string;
      primary: boolean;
      unique: boolean;
      method: string;
      predicate: string | null;
      included: number;
      valid: boolean;
      column: string | null;
      desc: boolean;
      nulls_first: boolean;
      opclass: string;
      opclass_default: boolean;
    }>(
      `SELECT ic.relname AS name, tc.relname AS table, i.indisprimary AS primary, i.indisunique AS unique,
              am.amname AS method, pg_get_expr(i.indpred, i.indrelid) AS predicate,
              i.indnatts - i.indnkeyatts AS included, i.indisvalid AS valid,
              a.attname AS column, (i.indoption[k.ord] & 1) = 1 AS desc, (i.indoption[k.ord] & 2) = 2 AS nulls_first,
              opc.opcname AS opclass, opc.opcdefault AS opclass_default
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       JOIN pg_am am ON am.oid = ic.relam
       CROSS JOIN LATERAL generate_series(0, i.indnkeyatts - 1) AS k(ord)
       JOIN pg_opclass opc ON opc.oid = i.indclass[k.ord]
       LEFT JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = i.indkey[k.ord] AND i.indkey[k.ord] <> 0
       WHERE ${ours}
       ORDER BY ic.relname, k.ord`,
    );
    for (const r of indexes.rows) {
      let idx = shape.indexes.get(r.name);
      if (!idx) {
        const extra: string[] = [];
        if (r.predicate) extra.push(`WHERE ${r.predicate}`);
        if (r.included > 0) extra.push(`INCLUDE ${r.included} column(s)`);
        if (!r.valid) extra.push("INVALID");
        idx = { table: r.table, primary: r.primary, unique: r.unique, method: r.method, columns: [], extra };
        shape.indexes.set(r.name, idx);
      }
      const nulls = r.desc === r.nulls_first ? "" : r.nulls_first ? " NULLS FIRST" : " NULLS LAST";
      const opclass = r.opclass_default ? "" : ` ${r.opclass}`;
      idx.columns.push(
        `${r.column === null ? "(expression)" : `"${r.column}"`}${r.desc ? " DESC" : ""}${nulls}${opclass}`,
      );
    }

    const constraints = await c.query<{
      name: string;
      type: string;
      table: string;
      ref_table: string | null;
      columns: string[];
      ref_columns: string[];
      on_delete: string;
      on_update: string;
    }>(
      `SELECT con.conname AS name, con.contype AS type, tc.relname AS table, rc.relname AS ref_table,
              ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
              ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS ref_columns,
              con.confdeltype AS on_delete, con.confupdtype AS on_update
       FROM pg_constraint con
       JOIN pg_class tc ON tc.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       LEFT JOIN pg_class rc ON rc.oid = con.confrelid
       WHERE con.contype IN ('f', 'c', 'x') AND ${ours}`,
    );
    for (const r of constraints.rows) {
      if (r.type !== "f") {
        shape.other.push(`${r.type === "c" ? "check" : "exclusion"} constraint "${r.name}" on "${r.table}"`);
        continue;
      }
      shape.foreignKeys.set(r.name, {
        table: r.table,
        columns: r.columns,
        refTable: r.ref_table ?? "?",
        refColumns: r.ref_columns,
        onDelete: FK_ACTIONS[r.on_delete] ?? r.on_delete,
        onUpdate: FK_ACTIONS[r.on_update] ?? r.on_update,
      });
    }

    const enums = await c.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE t.typtype = 'e' AND n.nspname = current_schema()`,
    );
    for (const e of enums.rows) shape.enums.set(e.name, [...e.labels].sort());
    return shape;
  });
}

const describeIndex = (i: Index) =>
  `${i.primary ? "PRIMARY KEY" : i.unique ? "UNIQUE" : "INDEX"} ON "${i.table}" USING ${i.method} (${i.columns.join(", ")})${i.extra.map((e) => ` ${e}`).join("")}`;
const describeFk = (f: ForeignKey) =>
  `"${f.table}"(${f.columns.join(", ")}) REFERENCES "${f.refTable}"(${f.refColumns.join(", ")}) ON DELETE ${f.onDelete} ON UPDATE ${f.onUpdate}`;
const describeColumn = (c: Column) =>
  `${c.type}${c.nullable ? "" : " NOT NULL"}${c.default === null ? "" : ` DEFAULT ${c.default}`}`;

/** Every difference, one readable line each; [] when the database matches the schema. */
function drift(expected: Shape, actual: Shape): string[] {
  const out: string[] = [];
  for (const [table, cols] of expected.tables) {
    const got = actual.tables.get(table);
    if (!got) {
      out.push(`table "${table}": missing in the database`);
      continue;
    }
    for (const [name, want] of cols) {
      const have = got.get(name);
      const where = `column "${table}"."${name}"`;
      if (!have) out.push(`${where}: missing in the database (schema: ${describeColumn(want)})`);
      else {
        if (want.type !== have.type) out.push(`${where}: type is ${have.type}, schema says ${want.type}`);
        if (want.nullable !== have.nullable)
          out.push(
            `${where}: ${have.nullable ? "nullable" : "NOT NULL"} in the database, schema says ${want.nullable ? "nullable" : "NOT NULL"}`,
          );
        const sameDefault =
          want.default === "*"
            ? have.default !== null
            : want.default === have.default ||
              (want.default !== null &&
                have.default !== null &&
                want.default.trim() !== "" &&
                Number(want.default) === Number(have.default));
        if (!sameDefault)
          out.push(
            `${where}: default is ${have.default ?? "none"}, schema says ${want.default === "*" ? "some default" : (want.default ?? "none")}`,
          );
      }
    }
    for (const [name, have] of got) {
      if (!cols.has(name))
        out.push(`column "${table}"."${name}": in the database (${describeColumn(have)}) but not in the schema`);
    }
  }
  for (const table of actual.tables.keys())
    if (!expected.tables.has(table)) out.push(`table "${table}": in the database but not in the schema`);

  const compare = <T>(kind: string, want: Map<string, T>, have: Map<string, T>, show: (x: T) => string) => {
    for (const [name, w] of want) {
      const h = have.get(name);
      if (!h) out.push(`${kind} "${name}": missing in the database (schema: ${show(w)})`);
      else if (show(h) !== show(w)) out.push(`${kind} "${name}": database has ${show(h)}, schema says ${show(w)}`);
    }
    for (const [name, h] of have)
      if (!want.has(name)) out.push(`${kind} "${name}": in the database (${show(h)}) but not in the schema`);
  };
  compare("index", expected.indexes, actual.indexes, describeIndex);
  compare("foreign key", expected.foreignKeys, actual.foreignKeys, describeFk);
  compare("enum", expected.enums, actual.enums, (labels) => labels.join(", "));
  for (const o of actual.other) out.push(`${o}: in the database but not in the schema`);
  return out.sort();
}

describe("drift: the migrated database matches prisma/schema.prisma", () => {
  const schema = readFileSync(SCHEMA_FILE, "utf8");
  let actual: Shape;

  beforeAll(async () => {
    const url = await freshDatabase();
    await migrate(url);
    actual = await actualShape(url);
  });

  it("has the tables, columns, types, nullability, defaults, keys, indexes, foreign keys and enums of the schema", () => {
    const expected = expectedShape(schema);
    // Sanity: the check sees what it is meant to see.
    expect(expected.tables.get("rate_limits")?.get("key")).toEqual({
      type: "character varying(255)",
      nullable: false,
      default: null,
    });
    expect(expected.indexes.get("ExecutorRun_cancelKeys_idx")?.method).toBe("gin");
    expect(expected.indexes.get("Delivery_webhookId_workspaceId_createdAt_id_idx")?.columns).toEqual([
      '"webhookId"',
      '"workspaceId"',
      '"createdAt" DESC',
      '"id" DESC',
    ]);
    expect(actual.tables.size).toBe(expected.tables.size);

    expect(drift(expected, actual)).toEqual([]);
  });

  // The check must catch a schema change that has no migration. Each case edits
  // an in-memory copy of schema.prisma and expects the drift to be reported.
  const edit = (from: string | RegExp, to: string): string => {
    const changed = schema.replace(from, to);
    if (changed === schema) throw new Error(`the schema no longer contains ${String(from)}: update this case`);
    return changed;
  };
  const cases: [string, () => string, string][] = [
    [
      "a new field",
      () => edit(/(model User \{\n)/, "$1  driftProbe String?\n"),
      'column "User"."driftProbe": missing in the database',
    ],
    [
      "a removed field",
      () => edit(/\n\s+disabledReason\s+String\?/, ""),
      'column "Webhook"."disabledReason": in the database',
    ],
    [
      "a renamed column (@map)",
      () => edit(/(\n\s+secretEncrypted\s+String)/, '$1 @map("secret")'),
      'column "Webhook"."secret": missing',
    ],
    [
      "a required field made optional",
      () => edit(/(\n\s+messageId\s+)String/, "$1String?"),
      'column "Delivery"."messageId": NOT NULL in the database, schema says nullable',
    ],
    [
      "a changed type",
      () => edit(/(\n\s+attemptCount\s+)Int/, "$1BigInt"),
      'column "Delivery"."attemptCount": type is integer, schema says bigint',
    ],
    [
      "a changed @db.VarChar length",
      () => edit("@db.VarChar(255)", "@db.VarChar(128)"),
      "type is character varying(255), schema says character varying(128)",
    ],
    [
      "a removed default",
      () => edit(/(\n\s+failureCount\s+Int\s+)@default\(0\)/, "$1"),
      'column "Webhook"."failureCount": default is 0, schema says none',
    ],
    [
      "a changed default",
      () => edit('@default("queued")', '@default("waiting")'),
      'column "ExecutorRun"."status": default is queued, schema says waiting',
    ],
    [
      "a new model",
      () => `${schema}\nmodel DriftProbe {\n  id String @id\n}\n`,
      'table "DriftProbe": missing in the database',
    ],
    [
      "a changed @@map",
      () => edit('@@map("rate_limits")', '@@map("rate_limit")'),
      'table "rate_limit": missing in the database',
    ],
    [
      "a new index",
      () =>
        edit(/(\n\s+@@index\(\[createdAt\]\)\n\s+@@index\(\[status, nextAttemptAt\]\))/, "$1\n  @@index([eventId])"),
      'index "Delivery_eventId_idx": missing',
    ],
    [
      "an index column order",
      () => edit("@@index([status, wakeAt])", "@@index([wakeAt, status])"),
      'index "ExecutorRun_wakeAt_status_idx": missing',
    ],
    [
      "an index sort direction",
      () =>
        edit(
          "@@index([webhookId, workspaceId, eventType, createdAt(sort: Desc), id(sort: Desc)])",
          "@@index([webhookId, workspaceId, eventType, createdAt, id(sort: Desc)])",
        ),
      'index "Delivery_webhookId_workspaceId_eventType_createdAt_id_idx": database has INDEX ON "Delivery" USING btree ("webhookId", "workspaceId", "eventType", "createdAt" DESC, "id" DESC)',
    ],
    [
      "an index method",
      () => edit("@@index([cancelKeys], type: Gin)", "@@index([cancelKeys])"),
      'index "ExecutorRun_cancelKeys_idx": database has INDEX ON "ExecutorRun" USING gin',
    ],
    [
      "a new unique constraint",
      () => edit(/(\n\s+messageId\s+String)/, "$1 @unique"),
      'index "Delivery_messageId_key": missing',
    ],
    [
      "a changed primary key",
      () => edit("@@id([workspaceId, key])", "@@id([key, workspaceId])"),
      'index "IdempotencyKey_pkey": database has PRIMARY KEY ON "IdempotencyKey" USING btree ("workspaceId", "key")',
    ],
    [
      "a changed referential action",
      () => edit(/(user\s+User\s+@relation\(fields: \[userId\], references: \[id\], onDelete: )Cascade/, "$1Restrict"),
      'foreign key "Membership_userId_fkey": database has',
    ],
    [
      "a new enum value",
      () => edit(/(enum DeliveryKind \{\n\s+event)/, "$1\n  drift_probe"),
      'enum "DeliveryKind": database has',
    ],
  ];
  it.each(cases)("catches %s without a migration", (_label, mutate, message) => {
    const found = drift(expectedShape(mutate()), actual);
    expect(found.join("\n")).toContain(message);
  });
});
