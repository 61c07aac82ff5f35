/**
 * The chunk a checksum files a row under (chunkExpression) must be the chunk whose condition
 * selects it (chunkCondition): the sync's repair pass deletes and rewrites the rows of the chunks
 * whose checksums differ by that condition. On MySQL FLOOR(id / width) rounded 50000028 / 50000029
 * up to 1.0000 (a DECIMAL of div_precision_increment places), so rows just below a boundary were
 * checksummed in one chunk and repaired in another, and mirrors kept rows copied after the snapshot
 * (faults-under-load: "a reader saw a partial table").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverTables } from '../../../src/catalog/discover-tables.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { checksumChunks } from '../../../src/rows/checksum-chunks.js';
import { chunkCondition, chunkExpression, diffChunks } from '../../../src/rows/chunk-sql.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
const W = 50_000_029;
const scheme = { kind: 'int-range', column: 'id', width: W } as const;
// Keys on, just below and just above chunk boundaries, negative ones included.
const SIGNED = [1, 2, 1000, W - 2, W - 1, W, W + 1, 2 * W - 1, 2 * W, -1, -2, -W + 1, -W, -W - 1, -2 * W];
const UNSIGNED = [0n, 1n, BigInt(W) - 1n, BigInt(W), 18_446_744_073_709_551_615n, 18_446_744_073_709_551_614n];

const floorDiv = (a: bigint, b: bigint) => (a >= 0n || a % b === 0n ? a / b : a / b - 1n);
const q = (t: string) => qualify(db.database, t);

async function meta(name: string): Promise<TableMeta> {
  return (await discoverTables(conn, db.database)).find((t) => t.name === name)!;
}

beforeAll(async () => {
  db = await createTestDatabase('chunk_sql');
  conn = await db.connector.connect();
  await conn.execute(`CREATE TABLE ${q('s')} (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('s')} VALUES ${SIGNED.map((id) => `(${id}, 1)`).join(', ')}`);
  await conn.execute(`CREATE TABLE ${q('u')} (id BIGINT UNSIGNED PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${q('u')} VALUES ${UNSIGNED.map((id) => `(${id}, 1)`).join(', ')}`);
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

describe('integer range chunks on the server', () => {
  it.each([
    ['s', SIGNED.map(BigInt)],
    ['u', UNSIGNED],
  ])('table %s: each row is checksummed in the chunk whose condition selects it', async (table, ids) => {
    const m = await meta(table);
    const rows = await conn.query<{ id: string; c: string }>(
      `SELECT CAST(id AS CHAR) AS id, CAST(${chunkExpression(scheme, m)} AS CHAR) AS c FROM ${q(table)} ORDER BY id`,
    );
    const got = rows.map((r) => `${r.id}:${r.c}`).sort();
    expect(got).toEqual(ids.map((id) => `${id}:${floorDiv(id, BigInt(W))}`).sort());
    for (const r of rows) {
      const selected = await conn.query<{ id: string }>(`SELECT CAST(id AS CHAR) AS id FROM ${q(table)} WHERE ${chunkCondition(scheme, m, [BigInt(r.c)])}`);
      expect(selected.map((x) => x.id), `chunk ${r.c}`).toContain(r.id);
    }
  });

  it('the repair of the differing chunks makes a copy equal its source again', async () => {
    const m = await meta('s');
    // Two statements: GTID consistency (MySQL's enforce_gtid_consistency) refuses CREATE TABLE … SELECT.
    await conn.execute(`CREATE TABLE ${q('mirror')} (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=MyISAM`);
    await conn.execute(`INSERT INTO ${q('mirror')} SELECT * FROM ${q('s')}`);
    // Rows that changed after the copy, just below a boundary (where the old rounding misfiled them).
    await conn.execute(`UPDATE ${q('s')} SET v = 2 WHERE id IN (?, ?)`, [W - 1, -W - 1]);
    await conn.execute(`DELETE FROM ${q('s')} WHERE id = ?`, [2 * W - 1]);
    const sums = () => Promise.all([checksumChunks(conn, db.database, 's', m, scheme), checksumChunks(conn, db.database, 'mirror', m, scheme)]);
    const [source, mirror] = await sums();
    const differing = diffChunks(source, mirror);
    expect(differing.length).toBeGreaterThan(0);
    const where = chunkCondition(scheme, m, differing);
    await conn.execute(`DELETE FROM ${q('mirror')} WHERE ${where}`);
    await conn.execute(`INSERT INTO ${q('mirror')} SELECT * FROM ${q('s')} WHERE ${where}`);
    const [after, repaired] = await sums();
    expect(diffChunks(after, repaired)).toEqual([]);
    const rows = (t: string) => conn.query<{ id: number; v: number }>(`SELECT id, v FROM ${q(t)} ORDER BY id`);
    expect(await rows('mirror')).toEqual(await rows('s'));
  });
});
