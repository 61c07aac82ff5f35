/**
 * How a backup chunk's lines are produced. The client's per-column work limits a dump, and the
 * server's REPLACE() on long text is slow, so the work is split: columns that never need
 * escaping (numbers, dates, times, ENUM/SET without special characters) and binary columns (HEX)
 * are joined into one string per run of adjacent columns by the server with CONCAT_WS; text
 * columns come back raw and are escaped in Node (row-codec.ts). The result is exactly the line
 * `encodeRow` would write.
 */
import { quoteId } from '../src/db/quote.js';
import type { ColumnMeta } from '../sync/table-meta.js';
import { isHexType } from './row-codec.js';

const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json', 'enum', 'set']);

/** True when a column's printed values can contain a tab, newline, backslash, CR or NUL. */
export function needsEscaping(col: ColumnMeta): boolean {
  if (isHexType(col.dataType)) return false;
  if (col.dataType === 'enum' || col.dataType === 'set') return /[\\\t\n\r\0]/.test(col.columnType);
  return TEXT_TYPES.has(col.dataType);
}

/** HEX() of a BIT value drops leading zero bytes; pad it to the column's byte width like the raw bytes. */
function hexExpression(col: ColumnMeta): string {
  const q = quoteId(col.name);
  if (col.dataType !== 'bit') return `HEX(${q})`;
  const bits = Number(/bit\((\d+)\)/i.exec(col.columnType)?.[1] ?? 1);
  return `LPAD(HEX(${q}), ${2 * Math.ceil(bits / 8)}, '0')`;
}

function serverField(col: ColumnMeta): string {
  const q = quoteId(col.name);
  const expr = isHexType(col.dataType) ? hexExpression(col) : q;
  return col.nullable ? `IFNULL(${expr}, '\\\\N')` : expr;
}

/** The select list, and which result columns are pre-joined (`joined`) or raw text to escape. */
export function segmentedSelect(columns: readonly ColumnMeta[]): { selectList: string; parts: ('joined' | 'text')[] } {
  const exprs: string[] = [];
  const parts: ('joined' | 'text')[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length === 0) return;
    // Always a string (CONCAT), so the client never turns a FLOAT or an INT into a JS number.
    exprs.push(run.length === 1 ? `CONCAT(${run[0]!})` : `CONCAT_WS('\\t', ${run.join(', ')})`);
    parts.push('joined');
    run = [];
  };
  for (const col of columns) {
    if (needsEscaping(col)) {
      flush();
      exprs.push(quoteId(col.name));
      parts.push('text');
    } else run.push(serverField(col));
  }
  flush();
  return { selectList: exprs.join(', '), parts };
}
