/**
 * An exact digest of one table for tests, sharing no code or SQL with the product's checksums:
 * every column (INVISIBLE ones too, which `SELECT *` leaves out) is rendered by the server in a
 * form that loses nothing — HEX of the stored bytes for strings, binaries, JSON and spatial
 * values, FLOAT widened to DOUBLE (a FLOAT prints with 6 digits), TIMESTAMP as epoch seconds,
 * BIT and ENUM as numbers — then the rendered rows are sorted by the server and hashed with
 * SHA-256 here. Duplicate rows count: this compares multisets. The column list (names, types,
 * character sets, order) is part of the digest.
 */
import { createHash } from 'node:crypto';
import type { SqlConnection } from '../../src/db/connection.js';

const q = (name: string) => `\`${name.replaceAll('`', '``')}\``;

function render(col: string, type: string): string {
  const c = q(col);
  switch (type) {
    case 'float':
      return `CAST(${c} AS DOUBLE)`;
    case 'timestamp':
      return `UNIX_TIMESTAMP(${c})`;
    case 'bit':
      return `CONCAT(${c} + 0)`;
    case 'enum':
    case 'set':
      return `CONCAT(${c} + 0, '/', HEX(${c}))`;
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'bigint':
    case 'decimal':
    case 'double':
    case 'date':
    case 'datetime':
    case 'time':
    case 'year':
      return `CONCAT(${c})`;
    default:
      return `HEX(${c})`;
  }
}

export interface ExactDigest {
  columns: string;
  rows: number;
  sha: string;
}

export async function exactTableDigest(conn: SqlConnection, schema: string, table: string): Promise<ExactDigest> {
  const cols = await conn.query<{ c: string; t: string; ct: string; cs: string | null; x: string }>(
    `SELECT COLUMN_NAME AS c, DATA_TYPE AS t, COLUMN_TYPE AS ct, CHARACTER_SET_NAME AS cs, EXTRA AS x
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  if (cols.length === 0) throw new Error(`${schema}.${table} does not exist`);
  const rendered = cols.map((c, i) => `IFNULL(${render(c.c, c.t.toLowerCase())}, '\\\\N') AS v${i}`);
  const order = cols.map((_, i) => `v${i}`).join(', ');
  const hash = createHash('sha256');
  let rows = 0;
  for await (const row of conn.stream(`SELECT ${rendered.join(', ')} FROM ${q(schema)}.${q(table)} ORDER BY ${order}`)) {
    rows++;
    hash.update(JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)))));
    hash.update('\n');
  }
  return {
    columns: cols.map((c) => `${c.c} ${c.ct} ${c.cs ?? ''}${/INVISIBLE/i.test(c.x) ? ' invisible' : ''}`).join(', '),
    rows,
    sha: hash.digest('hex'),
  };
}
