/**
 * The erasure ledger's core on a real server: ledger tables round-trip and refuse change; a keyed
 * hash depends on the key, the table and every key byte; withholding deletes exactly the rows the
 * ledger names (composite, string and binary keys), children first, and counts what InnoDB's
 * cascades took with them.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverTables } from '../../../src/catalog/discover-tables.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { erasureKeyOf, rowKeyHash } from '../../../src/erasure/erasure-key.js';
import { appendErasure, emptyLedger, ledgerFromLines, ledgerLines, readLedger, uniteLedgers } from '../../../src/erasure/ledger.js';
import { ensureLedgerTables } from '../../../src/erasure/ledger-tables.js';
import { childrenFirst, withholdErased } from '../../../src/erasure/withhold-erased.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

const key = erasureKeyOf(randomBytes(32));
let db: TestDatabase;
let conn: SqlConnection;

beforeAll(async () => {
  db = await createTestDatabase('withhold');
  conn = await db.connector.connect();
  for (const sql of [
    'CREATE TABLE `org unit` (`c` VARCHAR(20) NOT NULL, n INT NOT NULL, PRIMARY KEY (`c`, n)) ENGINE=InnoDB',
    'CREATE TABLE person (id BIGINT PRIMARY KEY, uc VARCHAR(20), un INT, FOREIGN KEY (uc, un) REFERENCES `org unit` (`c`, n) ON DELETE CASCADE) ENGINE=InnoDB',
    'CREATE TABLE note (id VARBINARY(16) PRIMARY KEY, person_id BIGINT, FOREIGN KEY (person_id) REFERENCES person (id) ON DELETE CASCADE) ENGINE=InnoDB',
    'CREATE TABLE deal (id INT PRIMARY KEY, person_id BIGINT NULL, FOREIGN KEY (person_id) REFERENCES person (id) ON DELETE SET NULL) ENGINE=InnoDB',
    "INSERT INTO `org unit` VALUES ('Ärger', 1), ('ärger', 2), ('b', 1)",
    "INSERT INTO person VALUES (1, 'Ärger', 1), (2, 'ärger', 2), (3, 'b', 1), (4, 'b', 1)",
    "INSERT INTO note VALUES (X'00ff', 1), (X'0100', 2), (X'02', 3), (X'03', 4), ('late', 1)",
    'INSERT INTO deal VALUES (1, 1), (2, 2), (3, NULL)',
  ])
    await conn.execute(sql);
}, 60_000);

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

async function hashesOf(table: string, where: string): Promise<string[]> {
  const metas = await discoverTables(conn, db.database);
  const pk = metas.find((m) => m.name === table)!.primaryKey.map((c) => `\`${c}\``).join(', ');
  const out: string[] = [];
  for await (const v of conn.stream(`SELECT ${pk} FROM \`${table}\` WHERE ${where}`, [], { raw: true })) out.push(rowKeyHash(key, table, v as Buffer[]));
  return out;
}

describe('rowKeyHash', () => {
  it('changes with the key, the table and each value; a string and its bytes hash alike', () => {
    const h = rowKeyHash(key, 't', ['1', Buffer.from('a')]);
    expect(rowKeyHash(key, 't', ['1', 'a'])).toBe(h);
    expect(rowKeyHash(erasureKeyOf(randomBytes(32)), 't', ['1', 'a'])).not.toBe(h);
    expect(rowKeyHash(key, 'u', ['1', 'a'])).not.toBe(h);
    expect(rowKeyHash(key, 't', ['1a', ''])).not.toBe(h);
    expect(rowKeyHash(key, 't', ['1', null])).not.toBe(rowKeyHash(key, 't', ['1', '']));
  });
});

describe('the ledger tables', () => {
  it('round-trip an entry and its hashes, are append-only on the source side, and travel as lines', async () => {
    const schema = `${db.database}__dualpipe`;
    await conn.execute(`CREATE DATABASE IF NOT EXISTS \`${schema}\``);
    await ensureLedgerTables(conn, schema, 'source');
    await ensureLedgerTables(conn, schema, 'source');
    const entry = { id: '00000000-0000-4000-8000-000000000001', erasedAt: '2026-12-01T06:00:00.123456Z', erasedBy: 'root@localhost', reason: 'GDPR art. 17 request #12', sourceSchema: db.database, rootTable: 'person', keyId: key.id, rowCounts: { person: 1, note: 2 }, totalRows: 3 };
    const hashes = new Map([['person', await hashesOf('person', 'id = 1')], ['note', await hashesOf('note', 'person_id = 1')]]);
    await appendErasure(conn, schema, entry, hashes);
    await appendErasure(conn, schema, entry, hashes);
    const back = await readLedger(conn, schema);
    expect(back.entries).toEqual([entry]);
    expect([...back.hashes.get('note')!].sort()).toEqual([...hashes.get('note')!].sort());
    await expect(conn.execute(`DELETE FROM \`${schema}\`.erasure_keys`)).rejects.toThrow(/append-only/);
    await expect(conn.execute(`UPDATE \`${schema}\`.erasure_ledger SET reason = 'x'`)).rejects.toThrow(/append-only/);
    expect(ledgerFromLines(ledgerLines(back), 'f')).toEqual(back);
    expect(() => ledgerFromLines(['{"table":"t","hashes":["zz"]}'], 'f')).toThrow(/line 1/);
    expect(uniteLedgers(back, back, emptyLedger()).entries).toHaveLength(1);
    expect(await readLedger(conn, `${db.database}_none`)).toEqual(emptyLedger());
  });
});

describe('withholdErased', () => {
  it('orders children first', () => {
    expect(childrenFirst(['a', 'b', 'c'], [{ child: 'b', parent: 'a' }, { child: 'c', parent: 'b' }])).toEqual(['c', 'b', 'a']);
  });

  it('deletes exactly the named rows, by composite, accented and binary keys, and counts the cascades', async () => {
    const ledger = emptyLedger();
    // The org unit 'Ärger',1 and person 1 were erased, with their notes as they were then ('late' came after).
    ledger.hashes.set('org unit', new Set(await hashesOf('org unit', "`c` = 'Ärger' AND n = 1")));
    ledger.hashes.set('person', new Set(await hashesOf('person', 'id = 1')));
    ledger.hashes.set('note', new Set(await hashesOf('note', "id = X'00ff'")));
    ledger.hashes.set('gone', new Set(['00'.repeat(32)]));
    const metas = new Map((await discoverTables(conn, db.database)).map((m) => [m.name, m]));
    const w = await withholdErased(conn, db.database, metas, ledger, key);
    expect(w.byTable).toEqual({ 'org unit': 1, person: 1, note: 1 });
    expect(w.matched).toBe(3);
    expect(w.cascaded).toBe(1);
    const units = await conn.query<{ c: string; n: number }>('SELECT `c`, n FROM `org unit` ORDER BY n, `c`');
    expect(units.map((u) => `${u.c}/${u.n}`)).toEqual(['b/1', 'ärger/2']);
    expect((await conn.query<{ id: number }>('SELECT id FROM person ORDER BY id')).map((r) => Number(r.id))).toEqual([2, 3, 4]);
    expect((await conn.query<{ h: string }>('SELECT HEX(id) AS h FROM note ORDER BY id')).map((r) => r.h)).toEqual(['0100', '02', '03']);
    expect(await conn.query('SELECT id, CAST(person_id AS CHAR) AS p FROM deal ORDER BY id')).toEqual([{ id: 1, p: null }, { id: 2, p: '2' }, { id: 3, p: null }]);
    expect((await withholdErased(conn, db.database, metas, ledger, key)).matched).toBe(0);
  });
});
