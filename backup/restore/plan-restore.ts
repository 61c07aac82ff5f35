/**
 * The restore planner: turns a parsed manifest and what the target schema holds now into the
 * schemas, CREATE statements, chunk loads, index builds, checks and the one RENAME of a restore.
 * Pure (no I/O): `--dry-run` prints exactly this, and the unit test checks it without a server.
 * Every misfit between backup and target is refused here, before anything is written.
 */
import { createHash } from 'node:crypto';
import { qualify, quoteId } from '../../src/db/quote.js';
import { BackupError, UsageError } from '../../src/errors.js';
import { lockName } from '../../src/lock/run-lock.js';
import { MIGRATIONS_TABLE_NAME } from '../../src/catalog/discover-tables.js';
import { loadDataSql } from './load-data-sql.js';
import type { Manifest, ManifestTable } from '../format/manifest.js';
import { splitTableDdl, type TableDdl } from '../format/split-table-ddl.js';

export { type ForeignKeyDef, splitTableDdl, type TableDdl } from '../format/split-table-ddl.js';

/** Recorded in the previous schema by the RENAME itself: it exists there only if the swap happened. */
export const RESTORE_INFO_TABLE = '__dp_restore_info';

/** The schemas of a restore into `target`; each within MySQL's 64-character limit. */
export interface RestoreSchemas {
  target: string;
  /** Where tables are built and loaded; never visible under a live name. */
  staging: string;
  /** The replaced live tables: the rollback window until the next restore or `--drop-previous`. */
  previous: string;
  /** Where `--rollback` moves the restored tables before dropping them. */
  scratch: string;
}

/** `<target><suffix>`, shortened with a hash of the target name when longer than 64 characters. */
export function derivedSchemaName(target: string, suffix: string): string {
  const name = target + suffix;
  if (name.length <= 64) return name;
  const hash = createHash('sha256').update(target).digest('hex').slice(0, 8);
  return `${target.slice(0, 64 - suffix.length - 9)}_${hash}${suffix}`;
}

export function restoreSchemas(target: string): RestoreSchemas {
  return {
    target,
    staging: derivedSchemaName(target, '__dp_restore'),
    previous: derivedSchemaName(target, '__dp_previous'),
    scratch: derivedSchemaName(target, '__dp_rollback'),
  };
}

export interface TargetState {
  exists: boolean;
  /** Objects named like a manifest table: base table or view, non-generated columns, triggers. */
  tables: Record<string, { type: string; columns: string[]; triggers: string[] }>;
  /** Applied migrations when the target has a `dualpipe_migrations` table, else null. */
  migrations: string[] | null;
  /** Foreign keys of tables not being restored (any schema) that reference a table being restored. */
  incomingForeignKeys: { from: string; name: string; to: string }[];
  /** Every base table of the target now (for `--tables`: parents that stay live). */
  liveTables?: string[];
}

export interface LoadStep {
  table: string;
  file: string;
  rows: number;
  bytes: number;
  gzip: boolean;
  /** Bytes of lines the chunk must expand to (when the manifest records them). */
  rawBytes?: number;
  sql: string;
  /**
   * ENUM columns loaded by index: storing index 0 (the error value '') always raises warning
   * 1265, so those warnings are allowed for them; the content checksum, which covers every
   * ENUM index, still proves each value.
   */
  indexColumns?: string[];
}

export interface RestoreTablePlan extends TableDdl {
  name: string;
  rows: number;
  checksum: string;
  /** The manifest's column names: the order of the fields in each chunk line. */
  manifestColumns: string[];
  bytes: number;
  loads: LoadStep[];
  replaces: boolean;
}

/** The plan of a restore, shown by `--dry-run` and passed to `confirm`. */
export interface RestorePlan {
  backupDir: string;
  schemas: RestoreSchemas;
  indexes: 'after-load' | 'create';
  /** Largest first, so the longest load does not start last. */
  tables: RestoreTablePlan[];
  skipped: { table: string; reason: string }[];
  /** Live tables the restore moves into the previous schema. */
  replaced: string[];
  /** Tables left out of `--tables` that restored tables reference: checked against the live rows. */
  liveParents: string[];
  targetExists: boolean;
  infoTableSql: string;
  renameSql: string;
  totals: { tables: number; rows: number; bytes: number; chunks: number };
}

export interface PlanRestoreInput {
  manifest: Manifest;
  backupDir: string;
  target: string;
  targetState: TargetState;
  indexes?: 'after-load' | 'create';
  manifestFile?: string;
  /** `--tables`: restore only these; the rest of the target stays as it is. */
  only?: readonly string[];
}

const REFERENCES = /(\) REFERENCES )`((?:[^`]|``)+)`( \()/g;

/** Points the DDL's foreign keys to `parents` at the live tables of `target` (they are not restored). */
function referenceLiveParents(ddl: string, parents: ReadonlySet<string>, target: string): string {
  return ddl.replace(REFERENCES, (all, pre: string, name: string, post: string) =>
    parents.has(name.replaceAll('``', '`')) ? `${pre}${quoteId(target)}.\`${name}\`${post}` : all,
  );
}

/** `--tables`: checks the names and returns the mirrors chosen; the others are skipped. */
function chooseTables(all: readonly ManifestTable[], only: readonly string[], file: string): ManifestTable[] {
  const names = new Set(all.map((t) => t.name));
  const unknown = only.filter((n) => !names.has(n));
  if (unknown.length)
    throw new UsageError(`--tables: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not in the backup ${file}`, {
      hint: `its tables: ${[...names].join(', ')}`,
    });
  return all.filter((t) => only.includes(t.name));
}

const listText = (xs: readonly string[]) => (xs.length ? xs.join(', ') : '(none)');

function checkSchemaVersion(m: Manifest, target: string, applied: string[] | null): void {
  if (applied === null) return;
  if (applied.length === m.migrations.length && applied.every((n, i) => n === m.migrations[i])) return;
  const onlyTarget = applied.filter((n) => !m.migrations.includes(n));
  const onlyBackup = m.migrations.filter((n) => !applied.includes(n));
  throw new UsageError(
    `backup of another schema version: ${target}.${MIGRATIONS_TABLE_NAME} lists ${applied.length} applied migration(s), ` +
      `the backup ${m.migrations.length} (only in ${target}: ${listText(onlyTarget)}; only in the backup: ${listText(onlyBackup)})`,
    { hint: 'restore --into a new schema, or bring the target to the backup\'s schema version first' },
  );
}

function checkTargetTable(t: ManifestTable, target: string, state: TargetState): boolean {
  const live = state.tables[t.name];
  if (!live) return false;
  const hint = 'restore --into a new schema, or drop or rename that table first';
  if (live.type !== 'BASE TABLE')
    throw new UsageError(`${target}.${t.name} is a ${live.type.toLowerCase()}, not a table: a restore cannot replace it`, { hint });
  const want = t.columns.map((c) => c.name);
  if (live.columns.length !== want.length || live.columns.some((c, i) => c !== want[i]))
    throw new UsageError(
      `table ${t.name}: the backup's columns (${want.join(', ')}) do not fit ${target}.${t.name} (${live.columns.join(', ')})`,
      { hint: 'the backup is of another schema version: restore --into a new schema' },
    );
  // dualpipe's own change-capture triggers are dropped before the swap and installed again after it.
  const foreign = live.triggers.filter((name) => !name.startsWith('__dp_'));
  if (foreign.length)
    throw new UsageError(
      `${target}.${t.name} has trigger(s) ${foreign.join(', ')}: a table with triggers cannot move to the previous schema`,
      { hint },
    );
  return true;
}

/** Plans a restore, or throws a UsageError naming the table and the misfit. */
export function planRestore(input: PlanRestoreInput): RestorePlan {
  const { manifest: m, targetState: state } = input;
  const file = input.manifestFile ?? 'manifest.json';
  const schemas = restoreSchemas(input.target);
  const indexes = input.indexes ?? 'after-load';
  checkSchemaVersion(m, input.target, state.migrations);
  const allMirrors = m.tables.filter((t) => t.kind === 'mirror');
  const mirrors = input.only ? chooseTables(allMirrors, input.only, file) : allMirrors;
  const skipped = [
    ...m.tables
      .filter((t) => t.kind !== 'mirror')
      .map((t) => ({ table: t.name, reason: 'report table (MyISAM): rebuilt by `dualpipe sync`, not restored into InnoDB' })),
    ...allMirrors.filter((t) => !mirrors.includes(t)).map((t) => ({ table: t.name, reason: 'not in --tables: left as it is' })),
  ];
  if (mirrors.length === 0) throw new UsageError(`${file}: the backup holds no mirror tables to restore`);
  const restored = new Set(mirrors.map((t) => t.name));
  if (restored.has(RESTORE_INFO_TABLE)) throw new UsageError(`${file}: table name ${RESTORE_INFO_TABLE} is reserved`);
  const referenced = new Map<string, string[][]>();
  const liveParents = new Set<string>();
  const live = new Set(state.liveTables ?? []);
  const parsed = mirrors.map((t) => ({ t, fks: splitTableDdl(t.name, t.ddl, { defer: false, file }).foreignKeys }));
  for (const { t, fks } of parsed)
    for (const fk of fks) {
      if (!restored.has(fk.refTable)) {
        if (!input.only || !allMirrors.some((x) => x.name === fk.refTable))
          throw new UsageError(`${file}: table ${t.name}: foreign key ${fk.name} references ${fk.refTable}, which is not in the backup`);
        // A parent left out of --tables stays live: the restored rows must find their parents there.
        if (!live.has(fk.refTable))
          throw new UsageError(`--tables: ${t.name} references ${fk.refTable}, which is neither restored nor a table of ${input.target}`, {
            hint: `add ${fk.refTable} to --tables`,
          });
        liveParents.add(fk.refTable);
      }
      referenced.set(fk.refTable, [...(referenced.get(fk.refTable) ?? []), fk.refColumns]);
    }
  const own = state.incomingForeignKeys.filter((fk) => input.only && fk.from.startsWith(`${input.target}.`));
  if (own.length) {
    const children = [...new Set(own.map((fk) => fk.from.slice(input.target.length + 1)))];
    const parents = [...new Set(own.map((fk) => fk.to))];
    throw new UsageError(
      `--tables: ${parents.join(', ')} ${parents.length === 1 ? 'is' : 'are'} referenced by ${children.join(', ')}, which ${children.length === 1 ? 'is' : 'are'} not restored: their rows would point at the replaced tables`,
      { hint: `add ${children.join(', ')} to --tables, or bring rows back with --mode merge` },
    );
  }
  for (const fk of state.incomingForeignKeys)
    throw new UsageError(
      `${fk.from} has foreign key ${fk.name} referencing ${input.target}.${fk.to}: swapping ${fk.to} would leave it pointing at the previous schema`,
      { hint: 'drop that foreign key first, or restore --into a new schema' },
    );
  const tables = mirrors.map((t): RestoreTablePlan => {
    const source = liveParents.size ? referenceLiveParents(t.ddl, liveParents, input.target) : t.ddl;
    const ddl = splitTableDdl(t.name, source, {
      defer: indexes === 'after-load',
      referenced: referenced.get(t.name) ?? [],
      file,
      ...(liveParents.size ? { liveSchema: input.target } : {}),
    });
    const manifestColumns = t.columns.map((c) => c.name);
    if (ddl.columns.join('\0') !== manifestColumns.join('\0'))
      throw new BackupError(file, `table ${t.name}: the DDL's columns (${ddl.columns.join(', ')}) differ from the listed columns (${manifestColumns.join(', ')})`);
    const replaces = checkTargetTable(t, input.target, state);
    const loads = t.chunks.map((c) => ({
      table: t.name,
      file: c.file,
      rows: c.rows,
      bytes: c.bytes,
      gzip: c.file.endsWith('.gz'),
      ...(c.rawBytes !== undefined ? { rawBytes: c.rawBytes } : {}),
      sql: loadDataSql(schemas.staging, t.name, t.columns),
      ...(t.columns.some((c) => c.encoding === 'index') ? { indexColumns: t.columns.filter((c) => c.encoding === 'index').map((c) => c.name) } : {}),
    }));
    const bytes = t.chunks.reduce((a, c) => a + c.bytes, 0);
    return { ...ddl, name: t.name, rows: t.rows, checksum: t.checksum, manifestColumns, bytes, loads, replaces };
  });
  tables.sort((a, b) => b.bytes - a.bytes || b.rows - a.rows || a.name.localeCompare(b.name));
  const replaced = tables.filter((t) => t.replaces).map((t) => t.name);
  const moves = [
    ...replaced.map((t) => `${qualify(schemas.target, t)} TO ${qualify(schemas.previous, t)}`),
    ...tables.map((t) => `${qualify(schemas.staging, t.name)} TO ${qualify(schemas.target, t.name)}`),
    `${qualify(schemas.staging, RESTORE_INFO_TABLE)} TO ${qualify(schemas.previous, RESTORE_INFO_TABLE)}`,
  ];
  return {
    backupDir: input.backupDir,
    schemas,
    indexes,
    tables,
    skipped,
    replaced,
    liveParents: [...liveParents].sort(),
    targetExists: state.exists,
    infoTableSql: `CREATE TABLE ${qualify(schemas.staging, RESTORE_INFO_TABLE)} (id INT NOT NULL PRIMARY KEY, info LONGTEXT NOT NULL) ENGINE=InnoDB`,
    renameSql: `RENAME TABLE ${moves.join(', ')}`,
    totals: {
      tables: tables.length,
      rows: tables.reduce((a, t) => a + t.rows, 0),
      bytes: tables.reduce((a, t) => a + t.bytes, 0),
      chunks: tables.reduce((a, t) => a + t.loads.length, 0),
    },
  };
}

/** The plan as text for `--dry-run`: what runs, in order. */
export function describeRestorePlan(plan: RestorePlan): string {
  const s = plan.schemas;
  const out = [
    `-- restore ${plan.backupDir} into ${s.target}${plan.targetExists ? '' : ' (created)'}: ` +
      `${plan.totals.tables} tables, ${plan.totals.rows} rows, ${plan.totals.chunks} chunks`,
    `-- replaces ${plan.replaced.length} live table(s)${plan.replaced.length ? `: ${plan.replaced.join(', ')}` : ''}`,
    ...plan.skipped.map((x) => `-- skips ${x.table}: ${x.reason}`),
    `SELECT GET_LOCK('${lockName('restore', s.target)}', 0);`,
    `DROP DATABASE IF EXISTS ${quoteId(s.staging)};`,
    `CREATE DATABASE ${quoteId(s.staging)};`,
    `USE ${quoteId(s.staging)}; SET SESSION foreign_key_checks = 0, unique_checks = 0;`,
    `${plan.infoTableSql};`,
  ];
  for (const t of plan.tables) out.push(`${t.createSql};`);
  for (const t of plan.tables) {
    out.push(`-- ${t.name}: ${t.rows} rows in ${t.loads.length} chunk(s), ${t.bytes} bytes`);
    for (const l of t.loads) out.push(`${l.sql.replace("'chunk'", `'${l.file}'`)};`);
    out.push(`-- check: ${t.rows} rows, content checksum ${t.checksum}`);
    if (t.alterSql) out.push(`${t.alterSql};`);
  }
  out.push('-- check: no row of any foreign key in the staging schema without its parent row');
  out.push(`DROP DATABASE IF EXISTS ${quoteId(s.previous)};`, `CREATE DATABASE ${quoteId(s.previous)};`);
  if (!plan.targetExists) out.push(`CREATE DATABASE ${quoteId(s.target)};`);
  out.push(`${plan.renameSql};`, `DROP DATABASE ${quoteId(s.staging)};`);
  return out.join('\n');
}
