/**
 * The oracle: an exact digest of a table that shares no code with dualpipe's sync or backup.
 * Column metadata (names, types, order, collations, invisible and generated columns) plus the
 * multiset of rows, each column rendered on the server so that nothing is lost on the way:
 * HEX for strings, binaries, JSON, spatial, SET; index and HEX for ENUM; for MySQL's binary JSON
 * also the JSON_TYPE of the value and of its first elements (an opaque DATE prints as a string); CAST AS DOUBLE for
 * FLOAT (HEX of a float is its integer part); HEX for BIT; UNIX_TIMESTAMP for TIMESTAMP (its
 * text depends on the session's time zone and is ambiguous in DST); plain text for integers,
 * DECIMAL, DOUBLE (MariaDB prints 17 significant digits), DATE, DATETIME, TIME and YEAR.
 * Rows are sorted by every rendered column and hashed with SHA-256 in Node, streaming.
 */
import { createHash } from 'node:crypto';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';

export interface OracleColumn {
  name: string;
  dataType: string;
  columnType: string;
  collation: string | null;
  invisible: boolean;
  generated: string;
}

export interface TableDigest {
  table: string;
  /** Missing tables have no digest. */
  exists: boolean;
  meta: string;
  rows: number;
  sha: string;
}

const PLAIN = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'decimal', 'double', 'date', 'datetime', 'time', 'year']);

/** The server-side expression that renders one column exactly. */
export function renderColumn(c: OracleColumn): string {
  const id = quoteId(c.name);
  if (PLAIN.has(c.dataType)) return id;
  if (c.dataType === 'float') return `CAST(${id} AS DOUBLE)`;
  if (c.dataType === 'timestamp') return `UNIX_TIMESTAMP(${id})`;
  if (c.dataType === 'enum') return `CONCAT(${id} + 0, ':', HEX(${id}))`;
  // MySQL's binary JSON: its text hides types (an opaque DATE prints like a string), so the types
  // of the value and of its first elements are rendered too. (MariaDB's JSON is a LONGTEXT.)
  if (c.dataType === 'json') {
    const types = ['$', '$[0]', '$[1]', '$[2]', '$[3]', '$[4]', '$[5]', '$[6]', '$.a', '$.k'].map((p) => `IFNULL(JSON_TYPE(JSON_EXTRACT(${id}, '${p}')), '-')`);
    return `CONCAT_WS(':', ${types.join(', ')}, HEX(${id}))`;
  }
  return `HEX(${id})`;
}

export async function oracleColumns(conn: SqlConnection, schema: string, table: string): Promise<OracleColumn[]> {
  const rows = await conn.query<{ n: string; dt: string; ct: string; co: string | null; ex: string }>(
    `SELECT COLUMN_NAME AS n, DATA_TYPE AS dt, COLUMN_TYPE AS ct, COLLATION_NAME AS co, EXTRA AS ex
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  return rows.map((r) => ({
    name: r.n,
    dataType: r.dt.toLowerCase(),
    columnType: r.ct,
    collation: r.co,
    invisible: /INVISIBLE/i.test(r.ex),
    generated: /VIRTUAL|STORED|PERSISTENT/i.test(r.ex) ? r.ex.replace(/INVISIBLE/i, '').trim() : '',
  }));
}

/** Base tables of a schema, except dualpipe's own (`__dp_…`, other than the generator's `__dp_user`). */
export async function baseTables(conn: SqlConnection, schema: string): Promise<string[]> {
  const rows = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY 1",
    [schema],
  );
  return rows.map((r) => r.t).filter((t) => !t.startsWith('__dp_') || t.startsWith('__dp_user'));
}

// A value of the driver: null, a Buffer, text or a number (never another object).
const text = (v: unknown): string | null =>
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- text or a number here, as said above
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('latin1') : String(v);

/** Rows of a table, rendered and sorted (positional ORDER BY: no alias can meet a user's name). */
export async function* renderedRows(conn: SqlConnection, schema: string, table: string, cols: readonly OracleColumn[]): AsyncGenerator<(string | null)[]> {
  if (cols.length === 0) return;
  const order = cols.map((_, i) => String(i + 1)).join(', ');
  const sql = `SELECT ${cols.map(renderColumn).join(', ')} FROM ${qualify(schema, table)} ORDER BY ${order}`;
  for await (const row of conn.stream(sql, [], { raw: true })) yield row.map(text);
}

export async function digestTable(conn: SqlConnection, schema: string, table: string): Promise<TableDigest> {
  const cols = await oracleColumns(conn, schema, table);
  if (cols.length === 0) return { table, exists: false, meta: '', rows: 0, sha: '' };
  const meta = JSON.stringify(cols.map((c) => [c.name, c.columnType, c.collation, c.invisible, c.generated]));
  const hash = createHash('sha256');
  let rows = 0;
  for await (const row of renderedRows(conn, schema, table, cols)) {
    rows++;
    hash.update(JSON.stringify(row));
    hash.update('\n');
  }
  return { table, exists: true, meta, rows, sha: hash.digest('hex') };
}

export function sameDigest(a: TableDigest, b: TableDigest): boolean {
  return a.exists === b.exists && a.meta === b.meta && a.rows === b.rows && a.sha === b.sha;
}

export interface Difference {
  table: string;
  what: 'missing' | 'columns' | 'rows';
  detail: string;
  /** Data types of the columns that differ in the first differing row (for classifying). */
  columns: string[];
}

/** Where two copies of a table first differ (null when the oracle finds them equal). */
export async function compareTable(conn: SqlConnection, a: string, b: string, table: string, other: SqlConnection = conn): Promise<Difference | null> {
  const [da, db] = [await digestTable(conn, a, table), await digestTable(other, b, table)];
  if (sameDigest(da, db)) return null;
  if (!db.exists || !da.exists) return { table, what: 'missing', detail: `${table} exists in ${a}: ${da.exists}, in ${b}: ${db.exists}`, columns: [] };
  if (da.meta !== db.meta) return { table, what: 'columns', detail: `columns differ:\n  ${da.meta}\n  ${db.meta}`, columns: [] };
  const cols = await oracleColumns(conn, a, table);
  const ia = renderedRows(conn, a, table, cols)[Symbol.asyncIterator]();
  const ib = renderedRows(other, b, table, cols)[Symbol.asyncIterator]();
  for (let i = 0; ; i++) {
    const [ra, rb] = [await ia.next(), await ib.next()];
    if (ra.done && rb.done) break;
    const x = ra.done ? null : ra.value;
    const y = rb.done ? null : rb.value;
    if (JSON.stringify(x) !== JSON.stringify(y)) {
      await ia.return?.(undefined);
      await ib.return?.(undefined);
      const differing = x && y ? cols.filter((_, j) => x[j] !== y[j]) : cols;
      return {
        table,
        what: 'rows',
        detail: `${da.rows} vs ${db.rows} rows; first difference at sorted row ${i}: ${JSON.stringify(x)} vs ${JSON.stringify(y)} (columns ${JSON.stringify(cols.map((c) => c.name))})`,
        columns: differing.map((c) => c.dataType),
      };
    }
  }
  return { table, what: 'rows', detail: 'digests differ but no row does (oracle bug?)', columns: [] };
}
