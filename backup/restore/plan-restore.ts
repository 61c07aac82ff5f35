/**
 * The restore planner: turns a parsed manifest and what the target schema holds now into the
 * schemas, CREATE statements, chunk loads, index builds, checks and the one RENAME of a restore.
 * Pure (no I/O): `--dry-run` prints exactly this (describe-restore-plan.ts), and the unit test
 * checks it without a server. Every misfit between backup and target is refused here, before
 * anything is written (check-target-fit.ts); execute-restore.ts runs the plan.
 */
import { type Compression, compressionOfFile } from '../format/chunk-compression.js';
import { createHash } from 'node:crypto';
import { qualify, quoteId } from '../../src/db/quote.js';
import { BackupError, UsageError } from '../../src/errors.js';
import { enumIndexColumns, loadDataSql } from './load-data-sql.js';
import type { Manifest } from '../format/manifest.js';
import { type ForeignKeyDef, splitTableDdl, type TableDdl } from '../format/split-table-ddl.js';
import { checkIncomingForeignKeys, checkSchemaVersion, checkTargetTable, chooseTables, type TargetState } from './check-target-fit.js';

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

/** The staging, previous and scratch schemas of a restore into `target`. */
export function restoreSchemas(target: string): RestoreSchemas {
  return {
    target,
    staging: derivedSchemaName(target, '__dp_restore'),
    previous: derivedSchemaName(target, '__dp_previous'),
    scratch: derivedSchemaName(target, '__dp_rollback'),
  };
}

/** One chunk file loaded into its staging table. */
export interface LoadStep {
  table: string;
  file: string;
  rows: number;
  bytes: number;
  /** How the chunk file is compressed (by its name). */
  compression: Compression;
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

/** One restored table: its DDL split for the load, its chunks, and what it is checked against. */
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

/** One foreign key of a restored table, and the schema its parent is read from. */
export interface ForeignKeyCheck extends ForeignKeyDef {
  table: string;
  refSchema: string;
}

/** Everything a restore does, as data: `executeRestore` runs it, `describeRestorePlan` prints it. */
export interface RestorePlan {
  backupDir: string;
  schemas: RestoreSchemas;
  indexes: 'after-load' | 'create';
  /** Largest first, so the longest load does not start last. */
  tables: RestoreTablePlan[];
  skipped: { table: string; reason: string }[];
  /** Live tables the restore moves into the previous schema. */
  replaced: string[];
  /**
   * Whether the restore keeps a rollback window (the previous schema): only when it replaces live
   * tables. A restore into a new or empty schema (`--into` to inspect a backup) has nothing to roll
   * back to, so it creates no `<target>__dp_previous`; its info table is dropped with the staging schema.
   */
  keepsWindow: boolean;
  /** Tables left out of `--tables` that restored tables reference: checked against the live rows. */
  liveParents: string[];
  /**
   * The orphan check of every foreign key of the restored tables, run as soon as child and parent
   * are loaded; a parent left out of `--tables` is live (in the target) and complete already.
   */
  foreignKeyChecks: ForeignKeyCheck[];
  targetExists: boolean;
  infoTableSql: string;
  renameSql: string;
  totals: { tables: number; rows: number; bytes: number; chunks: number };
}

/** What `planRestore` plans from: the manifest and what the target holds now. */
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
  checkIncomingForeignKeys(state, input.target, input.only !== undefined);
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
      compression: compressionOfFile(c.file),
      ...(c.rawBytes !== undefined ? { rawBytes: c.rawBytes } : {}),
      sql: loadDataSql(schemas.staging, t.name, t.columns),
      ...(enumIndexColumns(t.columns).length ? { indexColumns: enumIndexColumns(t.columns) } : {}),
    }));
    const bytes = t.chunks.reduce((a, c) => a + c.bytes, 0);
    return { ...ddl, name: t.name, rows: t.rows, checksum: t.checksum, manifestColumns, bytes, loads, replaces };
  });
  tables.sort((a, b) => b.bytes - a.bytes || b.rows - a.rows || a.name.localeCompare(b.name));
  const replaced = tables.filter((t) => t.replaces).map((t) => t.name);
  const keepsWindow = replaced.length > 0;
  const moves = [
    ...replaced.map((t) => `${qualify(schemas.target, t)} TO ${qualify(schemas.previous, t)}`),
    ...tables.map((t) => `${qualify(schemas.staging, t.name)} TO ${qualify(schemas.target, t.name)}`),
    ...(keepsWindow ? [`${qualify(schemas.staging, RESTORE_INFO_TABLE)} TO ${qualify(schemas.previous, RESTORE_INFO_TABLE)}`] : []),
  ];
  const foreignKeyChecks = tables.flatMap((t) =>
    t.foreignKeys.map((fk) => ({ table: t.name, ...fk, refSchema: liveParents.has(fk.refTable) ? schemas.target : schemas.staging })),
  );
  return {
    backupDir: input.backupDir,
    schemas,
    indexes,
    tables,
    skipped,
    replaced,
    keepsWindow,
    liveParents: [...liveParents].sort(),
    foreignKeyChecks,
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
