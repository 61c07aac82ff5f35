/**
 * The backup planner: which tables, which columns, and the query that dumps each table. Pure:
 * row counts come in as plain values. A table is read in one sequential scan and cut into chunk
 * files of `chunkRows` rows (dump-table.ts); tables dump in parallel, largest first.
 */
import { qualify } from '../../src/db/quote.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { backupEncoding, backupSelectExpr, isHexColumn } from '../../src/rows/column-transport.js';

export interface BackupTableInput {
  meta: TableMeta;
  kind: 'mirror' | 'report';
  /** InnoDB DDL for mirrors (from the sync's source state), SHOW CREATE for reports. */
  ddl: string;
  rows: number;
}

export interface BackupTablePlan {
  name: string;
  kind: 'mirror' | 'report';
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
}

export function planBackup(
  schema: string,
  tables: readonly BackupTableInput[],
  options: { chunkRows: number },
): BackupTablePlan[] {
  const order = tables.map((t, i) => ({ t, i })).sort((a, b) => b.t.rows - a.t.rows || a.i - b.i);
  return order.map(({ t }, tableIndex) => {
    const cols = writableColumns(t.meta);
    return {
      name: t.meta.name,
      kind: t.kind,
      ddl: t.ddl,
      tableIndex,
      columns: cols.map((c) => {
        const encoding = backupEncoding(c);
        return { name: c.name, dataType: c.dataType, hex: isHexColumn(c), ...(encoding ? { encoding } : {}) };
      }),
      sql: `SELECT ${cols.map(backupSelectExpr).join(', ')} FROM ${qualify(schema, t.meta.name)}`,
      rows: t.rows,
      expectedChunks: Math.max(1, Math.ceil(t.rows / options.chunkRows)),
    };
  });
}
