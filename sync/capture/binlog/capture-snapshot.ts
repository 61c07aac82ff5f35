/**
 * Opens a sync's snapshot and notes where binlog capture resumes once the set built from it is
 * live (resumePositionOf): a position from which reading misses no transaction the snapshot lacks.
 * It is stored in the set's generation marker (shadow-set.ts), published in the same RENAME.
 *
 * - MariaDB reports the snapshot's own binlog position (binlog_snapshot_file/position): exact and
 *   lock-free, noted for every sync, so a switch from trigger to binlog capture needs no full sync.
 * - Oracle MySQL fact: it has no such position, and none read beside a snapshot is exact either
 *   way: a transaction is written to the binlog before InnoDB commits it, so one may lie before a
 *   position read and still be missing from the snapshot. With GTIDs on, the snapshot's GTID set
 *   is known (readSnapshotBinlog, src/catalog/source-state.ts), and every transaction it lacks lies
 *   in the binlog file current before it opened or later (a rotation waits for the prepared
 *   transactions of the old file to commit). So the resume point is the start of that file, and the
 *   reader passes over the transactions the set holds, unread (binlog-key-reader.ts). The cost:
 *   the rest of that file is read again each run, until the server rotates it (max_binlog_size).
 *   Without GTIDs, MySQL gives no lock-free exact point: no position is noted, and binlog runs are
 *   full syncs (`capture install --method binlog` refuses such a server; doctor says why). A
 *   brief LOCK TABLES … READ around the snapshot was tried and dropped: writers' transactions
 *   waiting behind it were chosen as deadlock victims (the suite's concurrent-writer test).
 */
import type { SqlConnection, SqlConnector } from '../../../src/db/connection.js';
import { openSnapshot } from '../../../src/db/sessions.js';
import { readSnapshotBinlog } from '../../../src/catalog/source-state.js';
import { type BinlogPosition, compareBinlogPositions, serializeBinlogPosition } from './binlog-position.js';

const positions = new WeakMap<SqlConnection, BinlogPosition>();

/**
 * The resume position of the set a sync publishes from `snap` (serialized): the one noted when the
 * snapshot opened, or else `earlier`, a position known to lie before the snapshot (the live set's
 * own): reading from further back re-reads keys the set holds, never misses one. Null when neither
 * is known (the next binlog run is a full sync).
 */
export function resumePositionOf(snap: SqlConnection, earlier: string | null = null): string | null {
  const p = positions.get(snap);
  return p ? serializeBinlogPosition(p) : earlier;
}

/** MySQL: the GTID set of `snap`, which a binlog reader may advance its resume position by (undefined elsewhere). */
export function snapshotGtidSet(snap: SqlConnection): string | undefined {
  return positions.get(snap)?.skip;
}

/**
 * Moves the resume position noted for `snap` forward to `position`, which a binlog reader found
 * with the snapshot's own GTID set (binlog-key-reader.ts, `heldBy`): every transaction before it
 * is in the snapshot. Anything else (another set, an earlier position) leaves the noted one.
 */
export function advanceResumePosition(snap: SqlConnection, position: BinlogPosition): void {
  const noted = positions.get(snap);
  if (!noted?.skip || position.skip !== noted.skip) return;
  if (compareBinlogPositions(position, noted) > 0) positions.set(snap, position);
}

/** Opens the snapshot of a sync (src/db/sessions.ts openSnapshot) and notes its resume position where the server allows. */
export async function openCaptureSnapshot(connector: SqlConnector): Promise<SqlConnection> {
  const snap = await openSnapshot(connector);
  try {
    const { binlog } = await readSnapshotBinlog(snap);
    if (binlog) {
      // MariaDB: the snapshot's own position (its GTID there is informational). MySQL: the start
      // of a file, with the snapshot's GTID set to pass over.
      const mysql = binlog.position === 4 && (binlog.gtid ?? '').includes(':');
      positions.set(snap, mysql ? { file: binlog.file, offset: 4, skip: binlog.gtid! } : { file: binlog.file, offset: binlog.position });
    }
  } catch {
    // No binlog privilege, or no binlog: no position; a binlog run after this set is a full sync.
  }
  return snap;
}
