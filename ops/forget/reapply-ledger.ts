/**
 * `dualpipe forget --reapply`: every erasure in the source's ledger applied again to the live
 * source and archive, then published. For when rows the ledger names came back by a road dualpipe
 * does not control: a point-in-time replay of the binary log (the replay re-inserts rows that were
 * created after the backup and erased later, when it stops before the erasure), an import, a
 * replica promoted from before the erasure. Rows are found by their keyed hashes (withhold-erased.ts,
 * the same match a restore makes), deleted children first with the source's foreign keys in force
 * (their cascades and SET NULL take the dependents the ledger never saw), then a sync publishes.
 * Idempotent: a second run finds nothing. Holds the archive's lock, like forget.
 */
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { assertPlainName } from '../../src/db/quote.js';
import type { ErasureKey } from '../../src/erasure/erasure-key.js';
import { assertLedgerKey, readLedger } from '../../src/erasure/ledger.js';
import { type Withheld, withholdErased } from '../../src/erasure/withhold-erased.js';
import { acquireRunLock } from '../../src/lock/run-lock.js';
import type { Pipeline } from '../../src/pipeline.js';
import { archiveLockName } from '../archive/run-archive.js';
import type { ForgetPublish } from './forget-result.js';
import { pendingErasures, type PublishSyncOptions, publishErasure } from './publish-erasure.js';

/** Options of `reapplyErasures`. */
export interface ReapplyOptions {
  pipeline: Pipeline;
  key: ErasureKey;
  /** Default `<source>_archive` (when it exists). */
  archiveSchema?: string;
  sync?: PublishSyncOptions;
}

/** What a reapply found and removed. */
export interface ReapplyResult {
  sourceSchema: string;
  /** Erasures in the ledger. */
  entries: number;
  source: Withheld;
  /** Undefined when there is no archive schema. */
  archive?: Withheld;
  publish: ForgetPublish;
}

async function metasOf(conn: SqlConnection, schema: string, engine: string): Promise<Map<string, TableMeta> | undefined> {
  const exists = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [schema]);
  if (exists.length === 0) return undefined;
  return new Map((await discoverTables(conn, schema, { engine })).map((m) => [m.name, m]));
}

/** Applies the ledger again; see the file comment. */
export async function reapplyErasures(o: ReapplyOptions): Promise<ReapplyResult> {
  const source = o.pipeline.sourceSchema;
  const archive = assertPlainName(o.archiveSchema ?? `${source}_archive`, 'archive schema');
  const lock = await acquireRunLock(o.pipeline.source, archiveLockName(source));
  try {
    const conn = await o.pipeline.source.connect({ database: null });
    try {
      const ledger = await readLedger(conn, internalSchemaOf(source));
      assertLedgerKey(ledger.entries, o.key);
      const none: Withheld = { byTable: {}, matched: 0, cascaded: 0 };
      if (ledger.entries.length === 0) return { sourceSchema: source, entries: 0, source: none, publish: { sync: 'none', entriesCopied: 0 } };
      const sourceRows = await withholdErased(conn, source, (await metasOf(conn, source, 'InnoDB'))!, ledger, o.key);
      const archiveMetas = await metasOf(conn, archive, 'MyISAM');
      const archiveRows = archiveMetas ? await withholdErased(conn, archive, archiveMetas, ledger, o.key) : undefined;
      const pending = await pendingErasures(conn, o.pipeline);
      // Publish when rows came back and were removed, or an entry is not on the report side yet.
      const publish = await publishErasure(conn, o.pipeline, pending, o.sync, sourceRows.matched + sourceRows.cascaded > 0);
      return { sourceSchema: source, entries: ledger.entries.length, source: sourceRows, ...(archiveRows ? { archive: archiveRows } : {}), publish };
    } finally {
      await conn.close();
    }
  } finally {
    await lock.release();
  }
}
