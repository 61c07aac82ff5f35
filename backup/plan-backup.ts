/**
 * The backup planner: which tables, which columns, and how each table splits into chunks that
 * dump in parallel. Pure: key ranges and row counts come in as plain values.
 */
import { qualify, quoteId } from '../src/db/quote.js';
import { isIntegerType, type TableMeta, writableColumns } from '../sync/table-meta.js';
import { chunkFileName } from './manifest.js';
import { segmentedSelect } from './encode-sql.js';
import { isHexType } from './row-codec.js';

export interface BackupTableInput {
  meta: TableMeta;
  kind: 'mirror' | 'report';
  /** InnoDB DDL for mirrors (from the sync's source state), SHOW CREATE for reports. */
  ddl: string;
  rows: number;
  keyRange: { min: bigint; max: bigint } | undefined;
}

export interface ChunkPlan {
  table: string;
  tableIndex: number;
  chunkIndex: number;
  file: string;
  /** The SELECT that dumps the chunk, in primary-key order. */
  sql: string;
  estimatedRows: number;
}

export interface BackupTablePlan {
  name: string;
  kind: 'mirror' | 'report';
  ddl: string;
  columns: { name: string; dataType: string; hex: boolean }[];
  /** Which result columns of the chunk queries are pre-joined by the server (encode-sql.ts). */
  parts: ('joined' | 'text')[];
  chunks: ChunkPlan[];
}

export function planBackup(
  schema: string,
  tables: readonly BackupTableInput[],
  options: { chunkRows: number; compression: 'gzip' | 'none' },
): BackupTablePlan[] {
  return tables.map((t, tableIndex) => {
    const cols = writableColumns(t.meta);
    const { selectList, parts } = segmentedSelect(cols);
    const select = `SELECT ${selectList} FROM ${qualify(schema, t.meta.name)}`;
    const first = t.meta.primaryKey[0];
    const firstCol = t.meta.columns.find((c) => c.name === first);
    const order = t.meta.primaryKey.length ? ` ORDER BY ${t.meta.primaryKey.map(quoteId).join(', ')}` : '';
    const chunks: ChunkPlan[] = [];
    const add = (where: string, estimatedRows: number) =>
      chunks.push({
        table: t.meta.name,
        tableIndex,
        chunkIndex: chunks.length,
        file: chunkFileName(tableIndex, chunks.length, options.compression),
        sql: `${select}${where ? ` WHERE ${where}` : ''}${order}`,
        estimatedRows,
      });
    if (first && firstCol && isIntegerType(firstCol.dataType) && t.keyRange && t.rows > options.chunkRows) {
      // Integer keys split into ranges of about chunkRows rows; the ends stay open so nothing is missed.
      const n = BigInt(Math.ceil(t.rows / options.chunkRows));
      const span = t.keyRange.max - t.keyRange.min + 1n;
      const width = span / n + 1n;
      const col = quoteId(first);
      for (let i = 0n; i < n; i++) {
        const lo = t.keyRange.min + i * width;
        const hi = lo + width;
        const parts = [i === 0n ? '' : `${col} >= ${lo}`, i === n - 1n ? '' : `${col} < ${hi}`].filter(Boolean);
        add(parts.join(' AND '), Math.ceil(t.rows / Number(n)));
      }
    } else {
      add('', t.rows);
    }
    return {
      name: t.meta.name,
      kind: t.kind,
      ddl: t.ddl,
      columns: cols.map((c) => ({ name: c.name, dataType: c.dataType, hex: isHexType(c.dataType) })),
      parts,
      chunks,
    };
  });
}
