/**
 * The archive part of a backup: the archive schema (`<source>_archive` on the SOURCE server,
 * ops/archive/) dumped like the mirrors (same chunk format, compression, encryption, checksums),
 * its chunk files numbered after the mirrors'. Recorded in the manifest's `archive` part.
 *
 * Consistency: the archive tables are MyISAM, which has no MVCC, so a consistent-snapshot
 * transaction would not cover them (MyISAM reads ignore it). Instead the dump holds the archive
 * lock (`archiveLockName`), which every writer of the archive holds for its whole run (archive,
 * unarchive, forget, forget --reapply): no chunk moves while the archive is read, so the part is
 * one state of the archive, journal included. A READ lock on the tables, taken by the same session,
 * also keeps out a stray writer (an analyst's UPDATE), while the dump sessions still read.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { qualify } from '../../src/db/quote.js';
import { DualpipeError, StepError } from '../../src/errors.js';
import { archiveLockName, archiveSchemaOf } from '../../src/lock/archive-lock.js';
import { acquireRunLock, type RunLock } from '../../src/lock/run-lock.js';
import type { Logger } from '../../src/log/logger.js';
import { contentChecksum } from '../../src/rows/content-checksum.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { ManifestArchive } from '../format/manifest.js';
import { type Compression, requireCompression, type ZstdProbe } from '../format/chunk-compression.js';
import { manifestTables } from './build-manifest.js';
import { createDumpPool } from './dump-pool.js';
import { type BackupTableInput, planBackup } from './plan-backup.js';

/** What `dumpArchive` needs: where the archive is, where its chunks go and how they are written. */
export interface DumpArchiveOptions {
  pipeline: Pipeline;
  /** The source schema the archive belongs to (the manifest's `sourceSchema`). */
  sourceSchema: string;
  dir: string;
  /** The first table index of the archive's chunk files: after the mirrors'. */
  firstTableIndex: number;
  chunkRows: number;
  compression: Compression;
  zstdProbe?: ZstdProbe | undefined;
  key?: Buffer | undefined;
  threads: number;
  logger: Logger;
}

/** True when `schema` exists on the server of `conn`. */
async function schemaExists(conn: SqlConnection, schema: string): Promise<boolean> {
  const rows = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [schema]);
  return rows.length > 0;
}

/**
 * Takes the archive lock of `sourceSchema` when its archive schema exists (undefined: no archive).
 * A backup takes it BEFORE the sync lock: forget holds the archive lock and then takes the sync
 * lock for its publishing sync, so the other order could leave both waiting until a timeout.
 */
export async function lockArchive(pipeline: Pipeline, sourceSchema: string, waitSeconds: number): Promise<RunLock | undefined> {
  const probe = await pipeline.source.connect({ database: null });
  try {
    if (!(await schemaExists(probe, archiveSchemaOf(sourceSchema)))) return undefined;
  } finally {
    await probe.close();
  }
  return acquireRunLock(pipeline.source, archiveLockName(sourceSchema), { waitSeconds });
}

/** Dumps the archive schema under `lock` (from `lockArchive`, released by the caller); its manifest part. */
export async function dumpArchive(o: DumpArchiveOptions, lock: RunLock): Promise<ManifestArchive> {
  const schema = archiveSchemaOf(o.sourceSchema);
  const session = lock.session;
  try {
    const metas = await discoverTables(session, schema, { engine: 'MyISAM' });
    if (metas.length === 0) return { schema, tables: [] };
    await session.execute(`LOCK TABLES ${metas.map((m) => `${qualify(schema, m.name)} READ`).join(', ')}`);
    const inputs: BackupTableInput[] = [];
    for (const meta of metas) {
      const ddl = (await session.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, meta.name)}`))[0]?.['Create Table'];
      if (!ddl) throw new DualpipeError(`no DDL for ${schema}.${meta.name}`);
      // MyISAM keeps an exact row count, so COUNT(*) costs nothing here.
      const [count] = await session.query<{ n: string | number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, meta.name)}`);
      inputs.push({ meta, kind: 'archive', ddl, rows: Number(count?.n ?? 0) });
    }
    const plan = planBackup(schema, inputs, { sourceSchema: o.sourceSchema, chunkRows: o.chunkRows, compression: o.compression });
    const tables = plan.tables.map((t) => ({ ...t, tableIndex: t.tableIndex + o.firstTableIndex }));
    const zstd = requireCompression(plan.compression, 'write', o.zstdProbe);
    const pool = createDumpPool(o.pipeline.source, Math.min(o.threads, tables.length));
    let chunks;
    try {
      chunks = await Promise.all(
        tables.map((p) =>
          pool
            .dump({ sql: p.sql, hex: p.columns.map((c) => c.hex), dir: o.dir, tableIndex: p.tableIndex, chunkRows: plan.chunkRows, compression: plan.compression, ...(zstd ? { zstd } : {}), ...(o.key ? { key: o.key } : {}), keyFields: [] }, () => {}, () => {})
            .catch((error: unknown) => {
              throw new StepError('dumping the archive table', `${schema}.${p.name}`, { cause: error });
            }),
        ),
      );
    } finally {
      await pool.close();
    }
    // Checksummed on the lock session: the READ lock covers it, and the tables cannot change meanwhile.
    const sums = new Map<string, { rows: number; checksum: string }>();
    for (const t of tables) sums.set(t.name, await contentChecksum(session, schema, t.name, t.meta));
    o.logger.info({ schema, tables: tables.length, rows: plan.totals.rows }, 'backup: archive dumped');
    return { schema, tables: manifestTables({ tables }, chunks, sums) };
  } finally {
    await session.execute('UNLOCK TABLES').catch(() => {});
  }
}

/** The archive part in a backup run's details: its schema, tables and rows. */
export function archiveTotals(a: ManifestArchive): { schema: string; tables: number; rows: number } {
  return { schema: a.schema, tables: a.tables.length, rows: a.tables.reduce((n, t) => n + t.rows, 0) };
}
