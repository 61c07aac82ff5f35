/**
 * A read that would hold more keys than the run can use stops as soon as it holds more than
 * `maxKeys` (the run becomes a full sync), even inside one big transaction: the reader's memory is
 * bounded by the limit, not by the burst (bench/capture-burst-bench.ts measures the process).
 */
import { describe, expect, it } from 'vitest';
import { readChangedKeys } from '../../../../sync/capture/binlog/binlog-key-reader.js';
import { BINLOG_SCHEMA as SCHEMA, BINLOG_TABLES as TABLES, binlogReaderServerForFile } from '../../../helpers/binlog-reader-server.js';

const serverOf = binlogReaderServerForFile();

describe('the key limit of a binlog read', () => {
  it('stops with too-many-keys past the limit, inside one transaction, and reads everything under it', async () => {
    const from = await serverOf().pos();
    const values = Array.from({ length: 3000 }, (_, i) => `(${i}, 'burst', ${i})`).join(', ');
    await serverOf().conn.execute(`INSERT INTO ${SCHEMA}.pairs (a, b, v) VALUES ${values}`); // one transaction, 3000 keys
    const to = await serverOf().pos();
    const read = (maxKeys: number) => readChangedKeys({ connector: serverOf().connector, schema: SCHEMA, from, to, tables: TABLES, idleTimeoutMs: 10_000, maxKeys });
    const over = await read(100);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.reason).toMatchObject({ code: 'too-many-keys', detail: 'more than 100 keys changed in the binlog: a full sync is cheaper' });
    const under = await read(5000);
    expect(under.ok && under.tables.get('pairs')?.keys.length).toBe(3000);
  });
});
