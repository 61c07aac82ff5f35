/**
 * Whether the schema saw DDL after the reader's end position. Why: without binlog_row_metadata=FULL
 * the binlog client names a logged row's columns from information_schema as it is when read, so a
 * table altered after `to` (say its key column moved: same column count, other order) can have its
 * logged rows decoded under the wrong names, and the keys read are other columns' values. The
 * column-count check in binlog-event-stream.ts cannot see a reorder. The metadata was fetched during
 * the read, before the position read here, so any DDL that changed it lies in (`from`, now]: scan
 * that span's statements (no row is decoded) and report it.
 */
import type { SqlConnector } from '../../../src/db/connection.js';
import type { BinlogFallbackReason } from './binlog-checks.js';
import { BinlogReadError } from './binlog-errors.js';
import { nextWithin, openBinlogStream } from './binlog-event-stream.js';
import { type BinlogPosition, compareBinlogFiles, compareBinlogPositions, readBinlogPosition } from './binlog-position.js';
import { classifyQuery } from './binlog-statements.js';

/** Where to scan from, and what is captured. */
export interface DdlAfterOptions {
  connector: SqlConnector;
  schema: string;
  tables: readonly string[];
  /** The end position of the read just done. */
  from: BinlogPosition;
  idleTimeoutMs: number;
}

/** A `schema-changed` reason when DDL on the schema lies between `from` and the binlog's current end; else null. */
export async function findDdlAfter(options: DdlAfterOptions): Promise<BinlogFallbackReason | null> {
  const { connector, schema, from } = options;
  const conn = await connector.connect({ database: null });
  let now: BinlogPosition | null;
  try {
    now = await readBinlogPosition(conn);
  } finally {
    await conn.close();
  }
  if (!now || compareBinlogPositions(from, now) >= 0) return null;
  const tables = new Set(options.tables);
  // No table listed: the client decodes no row event (and fetches no metadata).
  const stream = openBinlogStream({ target: connector.target, file: from.file, offset: from.offset, schema, tables: [] });
  const it = stream[Symbol.asyncIterator]();
  let file = from.file;
  try {
    for (;;) {
      const item = await nextWithin(it, options.idleTimeoutMs, () => new BinlogReadError(schema, `no binlog event for ${options.idleTimeoutMs} ms while checking for DDL after the end position`));
      if (!item) return null;
      if (item.kind === 'rotate') {
        if (compareBinlogFiles(item.file, now.file) > 0) return null;
        file = item.file;
        continue;
      }
      if (item.kind !== 'query' && item.kind !== 'commit' && item.kind !== 'other') continue;
      if (item.end > 0 && compareBinlogPositions({ file, offset: item.end }, now) > 0) return null;
      if (item.kind === 'query') {
        const verdict = classifyQuery(item.sql, item.schema, schema, tables);
        if (verdict.kind === 'full' && verdict.reason === 'ddl') {
          const sql = item.sql.replace(/\s+/g, ' ').trim().slice(0, 200);
          return { code: 'schema-changed', detail: `DDL on ${schema} after the end position, before its rows were decoded (their column names may be wrong): ${sql}` };
        }
      }
      if (item.end > 0 && compareBinlogPositions({ file, offset: item.end }, now) === 0) return null;
    }
  } finally {
    await stream.close();
  }
}
