/**
 * Where binlog capture resumes after a sync: a binlog position at or before every transaction the
 * sync's snapshot does not hold. Reading keys from there re-reads some the snapshot already has
 * (harmless: the rows are re-read from the next snapshot), and never misses one. Stored with the
 * published generation (shadow-set.ts), so the live set and its resume point change together.
 *
 * Server facts (see readSnapshotBinlog in src/catalog/source-state.ts):
 * - MariaDB reports the snapshot's own position (`binlog_snapshot_file/position`): exact.
 * - Oracle MySQL has none. A transaction is written to the binlog before InnoDB commits it, so a
 *   position read next to the snapshot may lie after a transaction the snapshot misses. A binlog
 *   rotation waits for the prepared transactions of the old file to commit, so the start of the
 *   file current before the snapshot opened is safe: reading from there costs the file's length.
 */
import type { SqlConnection } from '../../../src/db/connection.js';
import { binlogBeforeSnapshot } from '../../../src/db/binlog-status.js';
import type { SourceState } from '../../../src/catalog/source-state.js';
import { type BinlogPosition, serializeBinlogPosition } from './binlog-position.js';

/** Where the first event of a binlog file starts (after the 4-byte magic number). */
const FILE_START = 4;

/**
 * The resume position of a sync whose snapshot is `snap` and whose source state (read on `snap`)
 * is `state`, serialized for the generation marker; null when the server has no binlog or it
 * cannot be read (the next binlog run is then a full sync).
 */
export function resumePositionOf(snap: SqlConnection, state: Pick<SourceState, 'binlog'>): string | null {
  const position = resumePosition(snap, state);
  return position ? serializeBinlogPosition(position) : null;
}

function resumePosition(snap: SqlConnection, state: Pick<SourceState, 'binlog'>): BinlogPosition | null {
  const b = state.binlog;
  if (b) return { file: b.file, offset: Math.max(FILE_START, b.position), ...(b.gtid ? { gtid: b.gtid } : {}) };
  // MySQL without GTIDs: no replay position recorded, but the file current before the snapshot is safe.
  const before = binlogBeforeSnapshot(snap);
  return before ? { file: before.file, offset: FILE_START } : null;
}
