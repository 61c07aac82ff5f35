/**
 * Where binlog capture resumes after a set built from a MySQL snapshot: given the snapshot's GTID
 * set, the key reader names the start of the first transaction in its range that the set lacks, or
 * its end (sync/capture/binlog/capture-snapshot.ts advanceResumePosition publishes it with the set).
 * MariaDB snapshots carry their own exact position and pass no set.
 */
import { describe, expect, it } from 'vitest';
import type { BinlogPosition } from '../../../../sync/capture/binlog/binlog-position.js';
import { type ChangedKeys, readChangedKeys } from '../../../../sync/capture/binlog/binlog-key-reader.js';
import { BINLOG_SCHEMA as SCHEMA, BINLOG_TABLES as TABLES, binlogReaderServerForFile } from '../../../helpers/binlog-reader-server.js';

const serverOf = binlogReaderServerForFile();

const keysOf = (r: ChangedKeys, table: string) => (r.tables.get(table)?.keys ?? []).map((k) => JSON.stringify(k)).sort();

describe('the resume position a read returns', () => {
  it('MySQL: with a snapshot\'s GTID set, the resume position moves to the first transaction the set lacks, or to `to`', async () => {
    const p0 = await serverOf().pos();
    await serverOf().conn.execute(`INSERT INTO ${SCHEMA}.codes (code, v) VALUES ('held-a', 1)`);
    const p1 = await serverOf().pos();
    await serverOf().conn.execute(`INSERT INTO ${SCHEMA}.codes (code, v) VALUES ('lacked-b', 1)`);
    await serverOf().conn.execute(`INSERT INTO ${SCHEMA}.codes (code, v) VALUES ('lacked-c', 1)`);
    const p3 = await serverOf().pos();
    const read = async (heldBy: string | undefined, from: BinlogPosition = p0) => {
      const r = await readChangedKeys({ connector: serverOf().connector, schema: SCHEMA, from, to: p3, tables: TABLES, idleTimeoutMs: 10_000, ...(heldBy ? { heldBy } : {}) });
      if (!r.ok) throw new Error(r.reason.detail);
      return r;
    };
    // Without a set (MariaDB's exact snapshot positions never pass one) there is no resume answer.
    expect((await read(undefined)).resume).toBeUndefined();
    if (serverOf().mariadb) return; // MariaDB GTIDs are positions per domain, not sets: the snapshot's own position is exact.
    // The set holds A only (a snapshot taken between A and B): resume at B's start, which is A's end.
    const afterA = await read(p1.gtid);
    expect(afterA.resume).toEqual({ file: p1.file, offset: p1.offset, skip: p1.gtid });
    // Reading on from there, passing over what the set holds, gives B and C and nothing of A.
    const next = await read(undefined, afterA.resume);
    expect(keysOf(next, 'codes')).toEqual(['["lacked-b"]', '["lacked-c"]']);
    // A set holding everything up to `to`: resume at `to`. One holding none of the three: at A's start.
    expect((await read(p3.gtid)).resume).toEqual({ file: p3.file, offset: p3.offset, skip: p3.gtid });
    expect((await read(p0.gtid)).resume).toEqual({ file: p0.file, offset: p0.offset, skip: p0.gtid });
  });
});
