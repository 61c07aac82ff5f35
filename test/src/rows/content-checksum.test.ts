/**
 * The content checksum on the test server (MariaDB or MySQL): the row digest is the first 64 bits
 * of SHA-256 of the row's exact text, computed alike by the server and by Node, equal for an
 * InnoDB table and its MyISAM copy; `v2:` checksums of older backups are MD5 digests, which MySQL
 * 9.6+ no longer has built in.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { contentChecksum } from '../../../src/rows/content-checksum.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
const meta: TableMeta = {
  name: 'cs',
  engine: 'InnoDB',
  columns: [
    { name: 'id', dataType: 'int', columnType: 'int', nullable: false, generated: false },
    { name: 'note', dataType: 'varchar', columnType: 'varchar(20)', nullable: true, generated: false },
  ],
  primaryKey: ['id'],
  estimatedRows: 0,
  dataBytes: 0,
};

beforeAll(async () => {
  db = await createTestDatabase('content_checksum');
  conn = await db.connector.connect();
  await conn.execute(`CREATE TABLE ${qualify(db.database, 'cs')} (id INT PRIMARY KEY, note VARCHAR(20) NULL) ENGINE=InnoDB`);
  await conn.execute(`INSERT INTO ${qualify(db.database, 'cs')} VALUES (1, 'été'), (2, NULL), (3, '')`);
  // Not CREATE … SELECT: MySQL with enforce_gtid_consistency refuses it for a non-atomic (MyISAM) table.
  await conn.execute(`CREATE TABLE ${qualify(db.database, 'cs_m')} (id INT PRIMARY KEY, note VARCHAR(20) NULL) ENGINE=MyISAM`);
  await conn.execute(`INSERT INTO ${qualify(db.database, 'cs_m')} SELECT * FROM ${qualify(db.database, 'cs')}`);
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

/** What the server should print: `id#len:bytes` or `id#N`, digest = first 16 hex digits of SHA-256 (or MD5). */
function expectedSum(hash: 'sha256' | 'md5'): bigint {
  const rows = ['1#4:été', '2#N', '3#0:'].map((t) => (t.startsWith('1#') ? `1#${Buffer.byteLength('été')}:été` : t));
  return rows.reduce((sum, text) => sum + BigInt(`0x${createHash(hash).update(text, 'utf8').digest('hex').slice(0, 16)}`), 0n);
}

describe('content checksum', () => {
  it('is v3: and the sum of SHA-256 row digests, the same as Node computes and the same on a MyISAM copy', async () => {
    const innodb = await contentChecksum(conn, db.database, 'cs', meta);
    expect(innodb).toEqual({ rows: 3, checksum: `v3:${expectedSum('sha256')}` });
    expect(await contentChecksum(conn, db.database, 'cs_m', meta)).toEqual(innodb);
  });

  it('checks a v2: (MD5) checksum with MD5 where the server has it; MySQL 9.6+ does not (component_classic_hashing)', async () => {
    const hasMd5 = await conn.query("SELECT MD5('') AS h").then(() => true, () => false);
    const check = contentChecksum(conn, db.database, 'cs', meta, 'v2:1');
    if (hasMd5) await expect(check).resolves.toEqual({ rows: 3, checksum: `v2:${expectedSum('md5')}` });
    else await expect(check).rejects.toThrow(/MD5/);
  });
});
