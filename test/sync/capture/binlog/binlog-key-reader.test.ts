/**
 * The binlog key reader against a real server of its own, started with the binlog on (ROW format;
 * MySQL also with GTIDs, as the suite runs it). Small tables, one server for the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection, SqlConnector } from '../../../../src/db/connection.js';
import { type ChangedKeys, readChangedKeys } from '../../../../sync/capture/binlog/binlog-key-reader.js';
import type { BinlogPosition } from '../../../../sync/capture/binlog/binlog-position.js';
import { BINLOG_SCHEMA as SCHEMA, BINLOG_TABLES as TABLES, type BinlogReaderServer, startBinlogReaderServer } from '../../../helpers/binlog-reader-server.js';

let server: BinlogReaderServer;
let connector: SqlConnector;
let conn: SqlConnection;
let mariadb = false;

beforeAll(async () => {
  server = await startBinlogReaderServer();
  ({ connector, conn, mariadb } = server);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

const pos = (): Promise<BinlogPosition> => server.pos();
async function keysBetween(from: BinlogPosition, to: BinlogPosition): Promise<ChangedKeys> {
  const result = await readChangedKeys({ connector, schema: SCHEMA, from, to, tables: TABLES, idleTimeoutMs: 10_000 });
  if (!result.ok) throw new Error(`unexpected fallback: ${result.reason.code} ${result.reason.detail}`);
  return result;
}
/** The keys of one table as sorted JSON strings, for order-free comparison. */
const keysOf = (r: ChangedKeys, table: string) => (r.tables.get(table)?.keys ?? []).map((k) => JSON.stringify(k)).sort();
/** Runs `work`, returning the reader's answer for exactly that work. */
async function around(work: () => Promise<void>): Promise<ChangedKeys> {
  const from = await pos();
  await work();
  return keysBetween(from, await pos());
}

describe('readChangedKeys', () => {
  it('returns the keys of inserts, updates and deletes per table, composite and string keys, multi-row statements and REPLACE; another schema is ignored', async () => {
    const r = await around(async () => {
      await conn.execute(`INSERT INTO ${SCHEMA}.pairs VALUES (1, 'x', 0), (1, 'y', 0), (2, 'x', 0)`);
      await conn.execute(`UPDATE ${SCHEMA}.pairs SET v = 5 WHERE a = 1`);
      await conn.execute(`INSERT INTO ${SCHEMA}.codes VALUES ('Ärger', 1), ('b''q', 2)`);
      await conn.execute(`DELETE FROM ${SCHEMA}.codes WHERE code = 'b''q'`);
      await conn.execute(`REPLACE INTO ${SCHEMA}.codes VALUES ('Ärger', 9), ('new', 1)`);
      await conn.execute(`UPDATE ${SCHEMA}.parents SET name = 'uno' WHERE id = 1`);
      await conn.execute('INSERT INTO other.parents VALUES (7), (8)');
      await conn.execute('DELETE FROM other.parents WHERE id = 7');
    });
    expect(keysOf(r, 'pairs')).toEqual(['[1,"x"]', '[1,"y"]', '[2,"x"]']);
    expect(keysOf(r, 'codes')).toEqual(['["b\'q"]', '["new"]', '["Ärger"]']);
    expect(keysOf(r, 'parents'), 'other.parents (ids 7, 8) is not bl.parents').toEqual(['[1]']);
    expect(r.tables.get('pairs')?.primaryKey).toEqual(['a', 'b']);
    expect(r.reload).toEqual([]);
  });

  it('an update changing the primary key yields the before and the after key', async () => {
    const r = await around(async () => {
      await conn.execute(`UPDATE ${SCHEMA}.pairs SET b = 'z' WHERE a = 2 AND b = 'x'`);
    });
    expect(keysOf(r, 'pairs')).toEqual(['[2,"x"]', '[2,"z"]']);
  });

  it('binlog_row_image=MINIMAL: keys of updates come from the before image, a changed key part from the after image', async () => {
    const r = await around(async () => {
      await conn.execute("SET SESSION binlog_row_image = 'MINIMAL'");
      try {
        await conn.execute(`UPDATE ${SCHEMA}.pairs SET v = 7 WHERE a = 1 AND b = 'y'`);
        await conn.execute(`UPDATE ${SCHEMA}.pairs SET a = 3 WHERE a = 1 AND b = 'x'`);
        await conn.execute(`DELETE FROM ${SCHEMA}.pairs WHERE a = 3`);
      } finally {
        await conn.execute("SET SESSION binlog_row_image = 'FULL'");
      }
    });
    expect(keysOf(r, 'pairs')).toEqual(['[1,"x"]', '[1,"y"]', '[3,"x"]']);
  });

  it('a rolled-back transaction yields nothing', async () => {
    const r = await around(async () => {
      await conn.execute('BEGIN');
      await conn.execute(`INSERT INTO ${SCHEMA}.codes VALUES ('gone', 1)`);
      await conn.execute(`DELETE FROM ${SCHEMA}.pairs`);
      await conn.execute('ROLLBACK');
    });
    expect(r.tables.size).toBe(0);
  });

  it('cascaded children are in the binlog only where the SQL layer runs foreign keys (MySQL 9.6+ default); elsewhere only the parent keys come back', async () => {
    const r = await around(async () => {
      await conn.execute(`UPDATE ${SCHEMA}.parents SET id = 4 WHERE id = 3`); // ON UPDATE CASCADE moves child 30
      await conn.execute(`DELETE FROM ${SCHEMA}.parents WHERE id = 1`); // ON DELETE CASCADE removes children 10, 11
    });
    const children = (await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${SCHEMA}.children WHERE parent_id IN (1, 3)`))[0]!.n;
    expect(Number(children), 'the cascades did run').toBe(0);
    expect(keysOf(r, 'parents')).toEqual(['[1]', '[3]', '[4]']);
    const native = await conn.query<{ v: number }>('SELECT @@GLOBAL.innodb_native_foreign_keys AS v').catch(() => null);
    // MariaDB 10.11 and MySQL before 9.6 (or innodb_native_foreign_keys=ON): InnoDB cascades
    // inside the engine and the binlog never sees the children (MySQL bug #32506).
    const sqlLayer = native !== null && Number(native[0]!.v) === 0;
    if (mariadb) expect(sqlLayer, 'MariaDB has no SQL-layer foreign keys').toBe(false);
    expect(r.cascadesLogged).toBe(sqlLayer);
    expect(keysOf(r, 'children')).toEqual(sqlLayer ? ['[10]', '[11]', '[30]'] : []);
  });

  it('TRUNCATE asks for a reload of that table; ALTER TABLE asks for a full sync', async () => {
    const t = await around(async () => {
      await conn.execute(`INSERT INTO ${SCHEMA}.codes VALUES ('t1', 1)`);
      await conn.execute(`TRUNCATE TABLE ${SCHEMA}.codes`);
      await conn.execute('TRUNCATE TABLE other.parents');
    });
    expect(t.reload).toEqual(['codes']);
    expect(keysOf(t, 'codes')).toEqual(['["t1"]']);

    const from = await pos();
    await conn.execute(`ALTER TABLE ${SCHEMA}.codes ADD COLUMN note VARCHAR(10)`);
    const r = await readChangedKeys({ connector, schema: SCHEMA, from, to: await pos(), tables: TABLES });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatchObject({ code: 'ddl', table: 'codes' });
  });

  it('a table altered after `to` (fewer columns than its logged rows) is a reason, not a crash or wrong keys', async () => {
    await conn.execute(`CREATE TABLE ${SCHEMA}.drift (id INT PRIMARY KEY, extra INT, v INT)`);
    const from = await pos();
    await conn.execute(`INSERT INTO ${SCHEMA}.drift VALUES (1, 1, 1)`);
    const to = await pos();
    await conn.execute(`ALTER TABLE ${SCHEMA}.drift DROP COLUMN extra`);
    const r = await readChangedKeys({ connector, schema: SCHEMA, from, to, tables: [...TABLES, 'drift'] });
    expect(r.ok ? null : r.reason.code).toBe('schema-changed');
    // A column added in front shifts the names the client gives a logged row's values (without
    // binlog_row_metadata=FULL): "id" would read 5, the value of v. Refused, not misread.
    const from2 = await pos();
    await conn.execute(`INSERT INTO ${SCHEMA}.drift VALUES (2, 5)`);
    const to2 = await pos();
    await conn.execute(`ALTER TABLE ${SCHEMA}.drift ADD COLUMN front INT FIRST`);
    const r2 = await readChangedKeys({ connector, schema: SCHEMA, from: from2, to: to2, tables: [...TABLES, 'drift'] });
    expect(r2.ok ? r2.tables.get('drift')?.keys : r2.reason.code).toBe('schema-changed');
    // The key column moved: same count and types, so only the DDL after `to` tells (the keys read
    // would be [9], the value of v).
    await conn.execute(`CREATE TABLE ${SCHEMA}.moved (id INT PRIMARY KEY, v INT)`);
    const from3 = await pos();
    await conn.execute(`INSERT INTO ${SCHEMA}.moved VALUES (3, 9)`);
    const to3 = await pos();
    await conn.execute(`ALTER TABLE ${SCHEMA}.moved MODIFY id INT AFTER v`);
    const r3 = await readChangedKeys({ connector, schema: SCHEMA, from: from3, to: to3, tables: [...TABLES, 'moved'] });
    expect(r3.ok ? r3.tables.get('moved')?.keys : r3.reason.code).toBe('schema-changed');
    await conn.execute(`DROP TABLE ${SCHEMA}.drift, ${SCHEMA}.moved`);
  });

  it('stops exactly at `to`: a later commit is not returned, and the next read from `to` returns it', async () => {
    const from = await pos();
    await conn.execute(`INSERT INTO ${SCHEMA}.codes (code, v) VALUES ('before', 1)`);
    const to = await pos();
    await conn.execute(`INSERT INTO ${SCHEMA}.codes (code, v) VALUES ('after', 1)`);
    const first = await keysBetween(from, to);
    expect(keysOf(first, 'codes')).toEqual(['["before"]']);
    expect(first.end).toEqual(to);
    const next = await keysBetween(first.end, await pos());
    expect(keysOf(next, 'codes')).toEqual(['["after"]']);
    const none = await keysBetween(to, to);
    expect(none.tables.size).toBe(0);
  });

  it('a session logging statements, and binlog_format=STATEMENT, are reasons for a full sync', async () => {
    const from = await pos();
    await conn.execute("SET SESSION binlog_format = 'STATEMENT'");
    await conn.execute(`UPDATE ${SCHEMA}.codes SET v = v + 1 WHERE code = 'after'`);
    await conn.execute("SET SESSION binlog_format = 'ROW'");
    const r = await readChangedKeys({ connector, schema: SCHEMA, from, to: await pos(), tables: TABLES });
    expect(r.ok ? null : r.reason.code).toBe('statement-dml');

    await conn.execute("SET GLOBAL binlog_format = 'STATEMENT'");
    try {
      const s = await readChangedKeys({ connector, schema: SCHEMA, from: await pos(), to: await pos(), tables: TABLES });
      expect(s.ok ? null : s.reason.code).toBe('binlog-format');
    } finally {
      await conn.execute("SET GLOBAL binlog_format = 'ROW'");
    }
  });

  it('MySQL binlog_transaction_compression=ON is a reason (MariaDB has no such setting)', async () => {
    const p = await pos();
    if (mariadb) {
      await expect(conn.query('SELECT @@GLOBAL.binlog_transaction_compression')).rejects.toThrow();
      expect((await readChangedKeys({ connector, schema: SCHEMA, from: p, to: p, tables: TABLES })).ok).toBe(true);
      return;
    }
    await conn.execute('SET GLOBAL binlog_transaction_compression = ON');
    try {
      const r = await readChangedKeys({ connector, schema: SCHEMA, from: p, to: p, tables: TABLES });
      expect(r.ok ? null : r.reason.code).toBe('transaction-compression');
    } finally {
      await conn.execute('SET GLOBAL binlog_transaction_compression = OFF');
    }
    // A session may compress its own transactions while the global setting is OFF: seen in the stream.
    await conn.execute('SET SESSION binlog_transaction_compression = ON');
    await conn.execute(`INSERT INTO ${SCHEMA}.codes (code, v) VALUES ('zipped', 1)`);
    await conn.execute('SET SESSION binlog_transaction_compression = OFF');
    const s = await readChangedKeys({ connector, schema: SCHEMA, from: p, to: await pos(), tables: TABLES });
    expect(s.ok ? null : s.reason.code, 'a compressed transaction is a reason, never a silent miss').toBe('undecodable');
  });

  it('a purged start file is a reason, not an error', async () => {
    const old = await pos();
    await conn.execute('FLUSH BINARY LOGS');
    const now = await pos();
    expect(now.file).not.toBe(old.file);
    // MariaDB fact: PURGE silently keeps a file until its binlog checkpoint is written (InnoDB has
    // made its commits durable), which happens in the background just after the rotation: retry.
    for (let i = 0; i < 50; i++) {
      await conn.execute(`PURGE BINARY LOGS TO '${now.file}'`);
      const logs = await conn.query<{ Log_name: string }>('SHOW BINARY LOGS');
      if (!logs.some((l) => l.Log_name === old.file)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const r = await readChangedKeys({ connector, schema: SCHEMA, from: old, to: now, tables: TABLES });
    expect(r.ok ? null : r.reason.code).toBe('purged');
  });
});
