/**
 * Opens a sync's snapshot so that binlog capture knows exactly where it lies in the binlog: the
 * position the published set resumes from (resumePositionOf), stored in its generation marker
 * (shadow-set.ts) and published in the same RENAME as the set.
 *
 * MariaDB reports the snapshot's own binlog position (binlog_snapshot_file/position), lock-free:
 * it is noted for every sync, so a switch from trigger to binlog capture needs no full sync. Oracle MySQL fact: it has no such status, and a position read next to the snapshot
 * is not exact either way: a transaction is written to the binlog before InnoDB commits it, so one
 * may lie before the position read and still be missing from the snapshot. So on MySQL, under
 * binlog capture, the snapshot opens while a second session holds `LOCK TABLES … READ` on the
 * captured tables: the lock is granted only once no transaction that wrote them is still
 * committing (it holds its metadata lock until its commit is done, in the binlog and in InnoDB),
 * and none can write them until it is released. The binlog position read inside the lock is then
 * exact for those tables. Writers of those tables wait for the few milliseconds the lock is held
 * (and up to `lock_wait_timeout` behind a long open transaction); taking it needs the LOCK TABLES
 * privilege. When it cannot be taken within a second (a long open transaction wrote one of
 * the tables), the snapshot opens without it and the set it publishes keeps the live set's older
 * resume position (resumePositionOf): the next run reads further back, and loses nothing.
 */
import type { SqlConnection, SqlConnector } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { readBinlogStatus } from '../../../src/db/binlog-status.js';
import { openSnapshot } from '../../../src/db/sessions.js';
import type { Logger } from '../../../src/log/logger.js';
import { type BinlogPosition, serializeBinlogPosition } from './binlog-position.js';

/** Seconds to wait for the brief lock (writers of the locked tables queue behind it meanwhile). */
const LOCK_WAIT_SECONDS = 1;

const exactPositions = new WeakMap<SqlConnection, BinlogPosition>();

/** The exact binlog position noted for `snap` by openCaptureSnapshot (MySQL), if any. */
export function exactSnapshotPosition(snap: SqlConnection): BinlogPosition | undefined {
  return exactPositions.get(snap);
}

/**
 * The resume position of the set a sync publishes from `snap` (serialized): its exact position, or
 * else `earlier`, a position known to lie before the snapshot (the live set's own resume position):
 * reading from further back re-reads keys the set already holds, never misses one. Null when
 * neither is known (the next binlog run is a full sync).
 */
export function resumePositionOf(snap: SqlConnection, earlier: string | null = null): string | null {
  const p = exactPositions.get(snap);
  return p ? serializeBinlogPosition(p) : earlier;
}

/**
 * Opens the snapshot of a sync (src/db/sessions.ts openSnapshot) and notes its exact binlog
 * position where the server tells it (MariaDB), or, with `binlog` (binlog capture), where the brief
 * lock described above makes it exact (MySQL).
 */
export async function openCaptureSnapshot(connector: SqlConnector, o: { binlog: boolean; schema: string; log?: Logger }): Promise<SqlConnection> {
  const helper = await connector.connect({ database: null });
  try {
    const own = await helper.query("SHOW STATUS LIKE 'binlog_snapshot_file'");
    if (own.length > 0) {
      const snap = await openSnapshot(connector);
      await noteOwnPosition(snap).catch((error: unknown) => {
        snap.destroy();
        throw error;
      });
      return snap;
    }
    if (!o.binlog) return await openSnapshot(connector);
    const tables = await helper.query<{ t: string }>(
      "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME NOT LIKE '\\_\\_dp\\_%'",
      [o.schema],
    );
    let locked = false;
    if (tables.length > 0) {
      try {
        await helper.execute(`SET SESSION lock_wait_timeout = ${LOCK_WAIT_SECONDS}`);
        await helper.execute(`LOCK TABLES ${tables.map((r) => `${qualify(o.schema, r.t)} READ`).join(', ')}`);
        locked = true;
      } catch (error) {
        o.log?.warn({ error: (error as Error).message }, 'binlog capture: the brief lock for an exact binlog position was not granted; the next run reads the binlog from further back');
      }
    }
    const snap = await openSnapshot(connector);
    try {
      const status = locked ? await readBinlogStatus(snap) : null;
      if (status) exactPositions.set(snap, { file: status.file, offset: status.position, ...(status.executedGtidSet ? { gtid: status.executedGtidSet } : {}) });
    } catch (error) {
      snap.destroy();
      throw error;
    }
    return snap;
  } finally {
    await helper.execute('UNLOCK TABLES').catch(() => {});
    await helper.close();
  }
}

/** MariaDB: the snapshot's own position, and its GTID position there (informational). */
async function noteOwnPosition(snap: SqlConnection): Promise<void> {
  const log = await snap.query<{ v: string | number }>('SELECT @@GLOBAL.log_bin AS v');
  if (Number(log[0]?.v) !== 1) return;
  const rows = await snap.query<{ Variable_name: string; Value: string }>("SHOW STATUS LIKE 'binlog_snapshot_%'");
  const file = rows.find((r) => r.Variable_name === 'Binlog_snapshot_file')?.Value ?? '';
  const offset = Number(rows.find((r) => r.Variable_name === 'Binlog_snapshot_position')?.Value ?? 0);
  if (file && offset >= 4) exactPositions.set(snap, { file, offset });
}
