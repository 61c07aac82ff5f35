/**
 * `restore --archive`: the backup's archive part back into `<target>_archive` (the target's
 * archive schema), as MyISAM tables, like the archive keeps them. Opt-in, because a restore of the
 * live data must never replace the archive by default: the archive holds rows that exist nowhere
 * else (moved out of the source after the backup was taken), which a replaced archive would lose.
 *
 * Like the other restores it loads into a staging schema, checks every table's row count and
 * content checksum against the manifest, withholds forgotten rows (the erasure ledger; archive
 * tables carry the source tables' names, so the ledger's hashes apply as they are), and only then
 * swaps the whole archive in with one RENAME, the replaced archive going to `<archive>__dp_previous`.
 * MyISAM has no rollback: a restore killed before the RENAME leaves the live archive untouched and
 * only a staging schema behind, which the next run drops. It holds the target's archive lock, so
 * no archive, unarchive or forget on the target interleaves.
 */
import pLimit from 'p-limit';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { BackupError, StepError } from '../../src/errors.js';
import { archiveLockName, archiveSchemaOf } from '../../src/lock/archive-lock.js';
import { acquireRunLock } from '../../src/lock/run-lock.js';
import { contentChecksum } from '../../src/rows/content-checksum.js';
import { compressionOfFile } from '../format/chunk-compression.js';
import type { ManifestArchive, ManifestTable } from '../format/manifest.js';
import { type Erasures, withholdIn, type WithheldRows } from './erasure-ledger-restore.js';
import { loadChunk, openLoadSession } from './load-chunk.js';
import { enumIndexColumns, loadDataSql } from './load-data-sql.js';
import { derivedSchemaName } from './plan-restore.js';

/** What `restoreArchive` did: the archive schema, its tables and rows, where the replaced one went, what was withheld. */
export interface ArchiveRestoreResult {
  schema: string;
  tables: number;
  rows: number;
  /** Where the replaced archive's tables went (null: there was none). */
  previous: string | null;
  withheld?: WithheldRows;
}

/** What `restoreArchive` needs: the server, the backup's folder and archive part, the target source schema. */
export interface RestoreArchiveOptions {
  connector: SqlConnector;
  admin: SqlConnection;
  dir: string;
  archive: ManifestArchive;
  /** The restore's target (source) schema: the archive goes into `<target>_archive`. */
  target: string;
  key?: Buffer | undefined;
  erasures?: Erasures | undefined;
  threads: number;
  waitForLockSeconds?: number | undefined;
}

async function loadTable(o: RestoreArchiveOptions, staging: string, t: ManifestTable): Promise<void> {
  const conn = await openLoadSession(o.connector, staging);
  try {
    const sql = loadDataSql(staging, t.name, t.columns);
    const indexColumns = enumIndexColumns(t.columns);
    for (const c of t.chunks)
      await loadChunk(conn, o.dir, { table: t.name, file: c.file, rows: c.rows, bytes: c.bytes, compression: compressionOfFile(c.file), ...(c.rawBytes !== undefined ? { rawBytes: c.rawBytes } : {}), sql, ...(indexColumns.length ? { indexColumns } : {}) }, o.key);
  } finally {
    await conn.close();
  }
}

/** Restores the archive part into `<target>_archive`; see the file comment. */
export async function restoreArchive(o: RestoreArchiveOptions): Promise<ArchiveRestoreResult> {
  const schema = archiveSchemaOf(o.target);
  const staging = derivedSchemaName(schema, '__dp_restore');
  const previous = derivedSchemaName(schema, '__dp_previous');
  const { admin } = o;
  const lock = await acquireRunLock(o.connector, archiveLockName(o.target), { waitSeconds: o.waitForLockSeconds ?? 0 });
  try {
    await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(staging)}`);
    await admin.execute(`CREATE DATABASE ${quoteId(staging)}`);
    // The archive's own MyISAM DDL (SHOW CREATE TABLE at the backup), run in the staging schema.
    const ddl = await o.connector.connect({ database: staging });
    try {
      for (const t of o.archive.tables) await ddl.execute(t.ddl);
    } finally {
      await ddl.close();
    }
    const limit = pLimit(Math.max(1, o.threads));
    await Promise.all(o.archive.tables.map((t) => limit(() => loadTable(o, staging, t))));
    const metas = new Map((await discoverTables(admin, staging, { engine: 'MyISAM' })).map((m) => [m.name, m]));
    for (const t of o.archive.tables) {
      const meta = metas.get(t.name);
      if (!meta) throw new StepError('restore of the archive', t.name, { detail: 'its DDL did not create a MyISAM table' });
      const got = await contentChecksum(admin, staging, t.name, meta, t.checksum);
      if (got.rows !== t.rows || got.checksum !== t.checksum)
        throw new BackupError(o.dir, `archive table ${t.name}: restored ${got.rows} rows with checksum ${got.checksum}, the manifest lists ${t.rows} and ${t.checksum}`, { hint: 'the backup is damaged: use another backup' });
    }
    const withheld = await withholdIn(admin, staging, o.erasures);
    const live = (await admin.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [schema])).map((r) => r.t);
    await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(schema)}`);
    if (live.length) {
      await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(previous)}`);
      await admin.execute(`CREATE DATABASE ${quoteId(previous)}`);
    }
    // One RENAME: the whole archive is swapped at once (MySQL renames atomically, all or none).
    const moves = [...live.map((t) => `${qualify(schema, t)} TO ${qualify(previous, t)}`), ...o.archive.tables.map((t) => `${qualify(staging, t.name)} TO ${qualify(schema, t.name)}`)];
    if (moves.length) await admin.execute(`RENAME TABLE ${moves.join(', ')}`);
    await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(staging)}`);
    const rows = o.archive.tables.reduce((a, t) => a + t.rows, 0) - (withheld ? withheld.matched + withheld.cascaded : 0);
    return { schema, tables: o.archive.tables.length, rows, previous: live.length ? previous : null, ...(withheld ? { withheld } : {}) };
  } finally {
    await lock.release().catch(() => {});
  }
}
