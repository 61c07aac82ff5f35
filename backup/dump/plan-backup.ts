/**
 * The backup planner: which tables, which columns, the query that dumps each table, and which
 * content checksums must be computed. Pure: what the sync recorded and the row counts come in as
 * plain values. A table is read in one sequential scan and cut into chunk files of `chunkRows`
 * rows (dump-table.ts); tables dump in parallel, largest first. run-backup.ts runs the plan.
 */
import { DualpipeError } from '../../src/errors.js';
import { qualify } from '../../src/db/quote.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { backupEncoding, backupHex, backupSelectExpr } from '../../src/rows/column-transport.js';
import { isCurrentChecksum } from '../../src/rows/content-checksum.js';
import { checkRestorable, type Manifest } from '../format/manifest.js';

/** What the last successful sync recorded in its run details: the tables a backup holds. */
export interface SyncDetails {
  /** The mirrors, with the row count and content checksum a full sync computed of its snapshot. */
  tables: { table: string; rows: number; checksum?: string }[];
  reports: { name: string }[];
}

/** A table the backup dumps: a mirror of the sync, or one of its report tables. */
export interface BackupTableChoice {
  meta: TableMeta;
  kind: 'mirror' | 'report' | 'archive';
}

/**
 * The tables of a backup, in the order of `discovered` (the MyISAM tables of the report schema):
 * every mirror of the sync, and its report tables with `includeReports`. A mirror the sync made
 * that is not there is refused.
 */
export function chooseBackupTables(
  details: SyncDetails,
  discovered: readonly TableMeta[],
  options: { reportSchema: string; includeReports?: boolean },
): BackupTableChoice[] {
  const wanted = new Map<string, 'mirror' | 'report'>(details.tables.map((t) => [t.table, 'mirror']));
  if (options.includeReports) for (const r of details.reports) wanted.set(r.name, 'report');
  const metas = discovered.filter((m) => wanted.has(m.name));
  const missing = [...wanted.keys()].filter((n) => !metas.some((m) => m.name === n));
  if (missing.length) {
    throw new DualpipeError(`mirror table(s) missing from ${options.reportSchema}: ${missing.join(', ')}`, {
      hint: 'run `dualpipe sync` to rebuild the mirrors, or `dualpipe check`',
    });
  }
  return metas.map((meta) => ({ meta, kind: wanted.get(meta.name)! }));
}

/** A chosen table with what the report schema says of it under the read lock. */
export interface BackupTableInput extends BackupTableChoice {
  /** InnoDB DDL for mirrors (from the sync's source state), SHOW CREATE for reports. */
  ddl: string;
  rows: number;
}

/** One table's dump: its manifest entry's name, kind, DDL and columns, and the query that reads it. */
export interface BackupTablePlan {
  name: string;
  /** The table as discovered: a checksum scan reads its columns. */
  meta: TableMeta;
  kind: 'mirror' | 'report' | 'archive';
  ddl: string;
  /** Position in the backup, which names its chunk files (`chunks/<tableIndex>-<chunk>.tsv`). */
  tableIndex: number;
  columns: { name: string; dataType: string; hex: boolean; encoding?: 'bytes' | 'double' | 'index' }[];
  /**
   * The SELECT that dumps the table (generated columns left out: a restore recomputes them); each
   * column read so that it loads back bit-exactly (column-transport.ts).
   */
  sql: string;
  rows: number;
  /** How many chunk files the table's rows fill (at least one). */
  expectedChunks: number;
  /**
   * The content checksum the sync recorded, when it is still good: the same row count and the
   * current checksum version. Undefined: the table is scanned for it, alongside the dumps.
   */
  recorded?: { rows: number; checksum: string };
}

/** A backup, as data: the tables in dump order and how their chunks are written. */
export interface BackupPlan {
  reportSchema: string;
  compression: Manifest['compression'];
  chunkRows: number;
  /** Largest first; `tableIndex` is the position here. */
  tables: BackupTablePlan[];
  totals: {
    rows: number;
    /** MyISAM's data length is close to the size of the lines: the estimate behind the MB/s bar. */
    estimatedBytes: number;
  };
}

/** How `planBackup` plans: the sync's source state and details, chunk size and compression. */
export interface PlanBackupOptions {
  /** The source schema the mirrors copy (the manifest's `sourceSchema`). */
  sourceSchema: string;
  chunkRows: number;
  compression: Manifest['compression'];
  /** The sync's recorded row counts and content checksums of its mirrors. */
  recorded?: SyncDetails['tables'];
}

/**
 * Plans the dump of `tables` from `reportSchema`. Refuses now what a restore would refuse later
 * (names, columns, DDL): a backup never exits 0 when it cannot be restored.
 */
export function planBackup(reportSchema: string, tables: readonly BackupTableInput[], options: PlanBackupOptions): BackupPlan {
  const recorded = new Map((options.recorded ?? []).filter((t) => t.checksum).map((t) => [t.table, t]));
  const order = tables.map((t, i) => ({ t, i })).sort((a, b) => b.t.rows - a.t.rows || a.i - b.i);
  const plans = order.map(({ t }, tableIndex): BackupTablePlan => {
    const cols = writableColumns(t.meta);
    const rec = recorded.get(t.meta.name);
    // A sync by an older dualpipe recorded the older checksum: scan again for the current one.
    const reuse = rec && rec.rows === t.rows && isCurrentChecksum(rec.checksum);
    return {
      name: t.meta.name,
      meta: t.meta,
      kind: t.kind,
      ddl: t.ddl,
      tableIndex,
      columns: cols.map((c) => {
        const encoding = backupEncoding(c);
        return { name: c.name, dataType: c.dataType, hex: backupHex(c), ...(encoding ? { encoding } : {}) };
      }),
      sql: `SELECT ${cols.map(backupSelectExpr).join(', ')} FROM ${qualify(reportSchema, t.meta.name)}`,
      rows: t.rows,
      expectedChunks: Math.max(1, Math.ceil(t.rows / options.chunkRows)),
      ...(reuse ? { recorded: { rows: rec.rows, checksum: rec.checksum! } } : {}),
    };
  });
  checkRestorable(options.sourceSchema, reportSchema, plans, options.compression);
  return {
    reportSchema,
    compression: options.compression,
    chunkRows: options.chunkRows,
    tables: plans,
    totals: { rows: tables.reduce((a, t) => a + t.rows, 0), estimatedBytes: tables.reduce((a, t) => a + t.meta.dataBytes, 0) },
  };
}
