/**
 * Changes one mirror value behind dualpipe's back, in ways chunk checksums may miss: a FLOAT in
 * its 7th digit, a trailing space, a case change, a duplicate pair of a keyless table turned into
 * another duplicate pair (count and BIT_XOR unchanged), an invisible column.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { oracleColumns } from './oracle.js';

export interface Tamper {
  table: string;
  how: string;
  dataType: string;
  sql: string[];
}

const NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'decimal', 'double', 'year']);
const TEXT = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext', 'json']);

function edits(dataType: string, id: string): { how: string; expr: string; where?: string }[] {
  if (NUMERIC.has(dataType)) return [{ how: 'plus one', expr: `${id} + 1` }, { how: 'minus one', expr: `${id} - 1` }];
  if (dataType === 'float') return [{ how: 'float 7th digit', expr: `${id} * 1.0000003e0`, where: `${id} <> 0` }];
  if (dataType === 'bit') return [{ how: 'bit flip', expr: `${id} ^ 1` }];
  if (TEXT.has(dataType)) return [
    { how: 'trailing space', expr: `CONCAT(${id}, ' ')` },
    { how: 'case change', expr: `UPPER(${id})`, where: `BINARY ${id} <> BINARY UPPER(${id})` },
  ];
  if (['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob'].includes(dataType)) return [{ how: 'byte flip', expr: `CONCAT(LEFT(${id}, LENGTH(${id}) - 1), CHAR(ASCII(RIGHT(${id}, 1)) ^ 1))`, where: `LENGTH(${id}) > 0` }];
  if (['date', 'datetime', 'timestamp'].includes(dataType)) return [{ how: 'one day later', expr: `${id} + INTERVAL 1 DAY`, where: `${id} > '1971-01-01'` }];
  if (dataType === 'time') return [{ how: 'one second later', expr: `${id} + INTERVAL 1 SECOND` }];
  if (dataType === 'enum') return [{ how: 'other member', expr: `IF(${id} + 0 = 1, 2, 1)` }];
  return [];
}

/** The `pick`-th of all the tampers possible on non-empty mirrors (null when there is none). */
export async function tamperSql(conn: SqlConnection, schema: string, tables: readonly string[], pick: number): Promise<Tamper | null> {
  const all: Tamper[] = [];
  for (const table of tables) {
    const cols = (await oracleColumns(conn, schema, table)).filter((c) => !c.generated);
    if (cols.length === 0) continue;
    const n = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(schema, table)}`);
    if (Number(n[0]?.n ?? 0) === 0) continue;
    const keys = await conn.query<{ c: string }>(
      "SELECT COLUMN_NAME AS c FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0",
      [schema, table],
    );
    for (const c of cols) {
      const id = quoteId(c.name);
      for (const e of edits(c.dataType, id)) {
        all.push({
          table,
          how: `${e.how} of ${c.invisible ? 'invisible ' : ''}${c.name}`,
          dataType: c.dataType,
          sql: [`UPDATE IGNORE ${qualify(schema, table)} SET ${id} = ${e.expr} WHERE ${id} IS NOT NULL${e.where ? ` AND ${e.where}` : ''} LIMIT 1`],
        });
      }
      if (keys.length === 0 && NUMERIC.has(c.dataType)) {
        // A duplicate pair A,A becomes C,C: same count, same XOR of row hashes.
        const vars = cols.map((_, i) => `@__tt_v${i}`);
        const list = cols.map((x) => quoteId(x.name));
        all.push({
          table,
          how: `duplicate pair changed in ${c.name}`,
          dataType: 'duplicate-pair',
          sql: [
            `SET ${vars.map((v) => `${v} = NULL`).join(', ')}`,
            `SELECT ${list.join(', ')} INTO ${vars.join(', ')} FROM ${qualify(schema, table)} GROUP BY ${list.map((_, i) => i + 1).join(', ')} HAVING COUNT(*) = 2 LIMIT 1`,
            `UPDATE IGNORE ${qualify(schema, table)} SET ${id} = ${id} + 1 WHERE ${list.map((x, i) => `${x} <=> ${vars[i]}`).join(' AND ')} LIMIT 2`,
          ],
        });
      }
    }
  }
  if (all.length === 0) return null;
  // Duplicate pairs are rare; when one is possible, prefer it half the time.
  const dup = all.filter((t) => t.dataType === 'duplicate-pair');
  if (dup.length > 0 && pick % 2 === 0) return dup[Math.floor(pick / 2) % dup.length]!;
  return all[pick % all.length]!;
}
