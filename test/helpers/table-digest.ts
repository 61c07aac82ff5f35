/**
 * An independent check of table equality for tests: SHA-256 over every row of
 * `SELECT * … ORDER BY <all columns>`, streamed. It shares nothing with the sync's own
 * checksums (no CRC32, no chunks, no CONCAT_WS).
 */
import { createHash } from 'node:crypto';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';

export async function tableDigest(
  conn: SqlConnection,
  schema: string,
  table: string,
): Promise<{ rows: number; sha: string }> {
  const cols = await conn.query<{ c: string }>(
    'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [schema, table],
  );
  const names = cols.map((c) => quoteId(c.c));
  const hash = createHash('sha256');
  let rows = 0;
  for await (const row of conn.stream(
    `SELECT ${names.join(', ')} FROM ${qualify(schema, table)} ORDER BY ${names.join(', ')}`,
  )) {
    rows++;
    hash.update(
      JSON.stringify(
        row.map((v) => (Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v === null ? null : String(v as string | number | bigint))),
      ),
    );
    hash.update('\n');
  }
  return { rows, sha: hash.digest('hex') };
}

/** Digests of every listed table. */
export async function schemaDigest(
  conn: SqlConnection,
  schema: string,
  tables: readonly string[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) {
    const d = await tableDigest(conn, schema, t);
    out[t] = `${d.rows}:${d.sha}`;
  }
  return out;
}

/** Mirror rows whose parent row is missing, for every foreign key of the source schema. */
export async function countOrphans(
  conn: SqlConnection,
  sourceSchema: string,
  mirrorSchema: string,
): Promise<Record<string, number>> {
  const fks = await conn.query<{ t: string; c: string; rt: string; rc: string; name: string }>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c, REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc, CONSTRAINT_NAME AS name
       FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL`,
    [sourceSchema],
  );
  const out: Record<string, number> = {};
  for (const fk of fks) {
    const r = await conn.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${qualify(mirrorSchema, fk.t)} ch LEFT JOIN ${qualify(mirrorSchema, fk.rt)} p
          ON p.${quoteId(fk.rc)} = ch.${quoteId(fk.c)}
        WHERE ch.${quoteId(fk.c)} IS NOT NULL AND p.${quoteId(fk.rc)} IS NULL`,
    );
    out[`${fk.t}.${fk.c}`] = Number(r[0]?.n ?? 0);
  }
  return out;
}
