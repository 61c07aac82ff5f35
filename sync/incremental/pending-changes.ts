/**
 * Continuous mode's idle check (`schedule --incremental-every`): would an incremental sync now
 * have anything to apply? A cheap question asked every few seconds, so that a quiet source costs
 * one or two small reads instead of a run that republishes the same set.
 * - Trigger capture: the change log has a row.
 * - Binlog capture: a row event (or DDL, TRUNCATE, anything that would fall back) of a source
 *   table lies between the live set's resume position and the binlog's end. The resume position
 *   is the set's snapshot's, so a commit that landed while the last run was copying (after its
 *   snapshot) is found here; the run's own writes to the report schema are not source events.
 * Anything unknown (no published set, no resume position, no change log) answers "pending": the
 * run then decides, as a scheduled incremental run always did.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { isNoSuchTable } from '../../src/db/no-such-table.js';
import { withSession } from '../../src/db/with-session.js';
import type { Pipeline } from '../../src/pipeline.js';
import { GENERATION_TABLE, readGeneration } from '../shadow/shadow-set.js';
import { readChangedKeys } from '../capture/binlog/binlog-key-reader.js';
import { compareBinlogPositions, parseBinlogPosition, readBinlogPosition } from '../capture/binlog/binlog-position.js';
import { readCaptureMethod } from '../capture/capture-method.js';
import { CHANGE_LOG_TABLE } from '../capture/capture-sql.js';

/** The check's answer, and why (logged at debug level). */
export interface PendingChanges {
  pending: boolean;
  why: string;
}

async function changeLogPending(conn: SqlConnection, schema: string): Promise<PendingChanges> {
  try {
    const rows = await conn.query(`SELECT 1 FROM ${qualify(schema, CHANGE_LOG_TABLE)} LIMIT 1`);
    return rows.length ? { pending: true, why: 'the change log has rows' } : { pending: false, why: 'the change log is empty' };
  } catch (error) {
    if (isNoSuchTable(error)) return { pending: true, why: 'no change log: the run decides (a full sync)' };
    throw error;
  }
}

/** Whether an incremental sync of `pipeline` now has changes to apply (see the file header). */
export async function pendingChanges(pipeline: Pipeline): Promise<PendingChanges> {
  const { method, live } = await withSession(pipeline.report, async (c) => ({
    method: (await readCaptureMethod(c, pipeline.reportSchema)).method,
    live: await readGeneration(c, pipeline.reportSchema, GENERATION_TABLE),
  }));
  if (!live) return { pending: true, why: 'no published set yet: the run is a full sync' };
  if (method === 'triggers') return withSession(pipeline.source, (c) => changeLogPending(c, pipeline.sourceSchema));
  if (!live.binlog) return { pending: true, why: 'the live set has no binlog position: the run is a full sync' };
  const from = parseBinlogPosition(live.binlog);
  const { to, tables } = await withSession(pipeline.source, async (c) => ({
    to: await readBinlogPosition(c),
    tables: (
      await c.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'", [pipeline.sourceSchema])
    ).map((r) => r.t),
  }));
  if (!to) return { pending: true, why: 'the binlog is off: the run decides' };
  const moved = compareBinlogPositions(from, to);
  if (moved === 0) return { pending: false, why: 'the binlog has not moved' };
  if (moved > 0) return { pending: true, why: 'the binlog ends before the resume position (RESET MASTER?): the run decides' };
  // One key is enough to know: the reader stops there instead of holding every key of the range.
  const read = await readChangedKeys({ connector: pipeline.source, schema: pipeline.sourceSchema, from, to, tables, maxKeys: 0 });
  if (!read.ok) return { pending: true, why: read.reason.code === 'too-many-keys' ? 'source tables changed in the binlog' : read.reason.detail };
  if (read.tables.size || read.reload.length) return { pending: true, why: `changes in ${[...read.tables.keys(), ...read.reload].join(', ')}` };
  return { pending: false, why: 'no source table changed in the binlog' };
}
