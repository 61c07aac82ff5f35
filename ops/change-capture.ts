/**
 * `dualpipe capture install|remove|status` over a pipeline. Two methods (capture-method.ts):
 * - triggers: the change log and triggers live beside the CRM's tables (one source session);
 * - binlog: nothing is installed on the source; the choice is recorded beside the report schema,
 *   and the source's binlog settings are checked first.
 * Switching from triggers to binlog is the migration on a running system: the method is recorded
 * first, then the triggers and the log are dropped. No change is lost in between: every sync, of
 * either method, publishes its set with the binlog position it resumes from, so the first binlog
 * run reads the binlog from the live set's snapshot on, whatever the triggers logged meanwhile.
 */
import type { SqlConnection } from '../src/db/connection.js';
import { withSession } from '../src/db/with-session.js';
import { UsageError } from '../src/errors.js';
import type { Pipeline } from '../src/pipeline.js';
import { type CaptureStatus, existingTriggers, installCapture, readCapture, removeCapture } from '../sync/capture/capture.js';
import { type CaptureMethod, readCaptureMethod, writeCaptureMethod } from '../sync/capture/capture-method.js';
import { checkBinlogReadable } from '../sync/capture/binlog/binlog-checks.js';
import { readBinlogPosition } from '../sync/capture/binlog/binlog-position.js';
import { GENERATION_TABLE, readGeneration } from '../sync/shadow/shadow-set.js';

/** The sides capture works on: the source (triggers, binlog) and the report side (the method, the live set). */
export type CaptureSide = Pick<Pipeline, 'source' | 'sourceSchema' | 'report' | 'reportSchema'>;

/** Binlog capture's state: where the live set resumes, and where the binlog stands now. */
export interface BinlogCaptureState {
  /** The live generation's resume position (JSON text); null: the next sync is a full one. */
  resume: string | null;
  /** The source's binlog position now (JSON text); null when it cannot be read. */
  current: string | null;
}

/** What `capture install|status` report: the method, and the trigger state of the source. */
export type CaptureReport = CaptureStatus & { method: CaptureMethod; binlog?: BinlogCaptureState };

/** One session on the source, in the source schema. */
function onSource<T>(side: CaptureSide, fn: (conn: SqlConnection, schema: string) => Promise<T>): Promise<T> {
  return withSession(side.source, (conn) => fn(conn, side.sourceSchema), {});
}

/** One session on the report server (no default schema). */
function onReport<T>(side: CaptureSide, fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
  return withSession(side.report, fn, { database: null });
}

/**
 * Installs capture by `method` (default triggers). Triggers: creates the change log and the triggers
 * on every source table (again: replaces them). Binlog: checks the source's binlog settings (a
 * UsageError says which to change), records the method, then drops any capture triggers.
 */
export async function installChangeCapture(side: CaptureSide, options: { method?: CaptureMethod } = {}): Promise<CaptureReport> {
  const method = options.method ?? 'triggers';
  if (method === 'triggers') {
    const status = await onSource(side, installCapture);
    await onReport(side, (c) => writeCaptureMethod(c, side.reportSchema, 'triggers'));
    return { ...status, method };
  }
  await onSource(side, checkBinlogSettings);
  await onReport(side, (c) => writeCaptureMethod(c, side.reportSchema, 'binlog'));
  await onSource(side, async (conn, schema) => {
    if ((await existingTriggers(conn, schema)).length > 0) await removeCapture(conn, schema);
  });
  return changeCaptureStatus(side);
}

/** Drops the capture triggers and the change log, and forgets the method; incremental syncs fall back to full ones. */
export async function removeChangeCapture(side: CaptureSide): Promise<{ triggers: number }> {
  const removed = await onSource(side, removeCapture);
  await onReport(side, (c) => writeCaptureMethod(c, side.reportSchema, 'triggers'));
  return removed;
}

/** The method, whether trigger capture is installed (on which tables, changes pending), and binlog capture's positions. */
export async function changeCaptureStatus(side: CaptureSide): Promise<CaptureReport> {
  const { method } = await onReport(side, (c) => readCaptureMethod(c, side.reportSchema));
  const status = await onSource(side, (conn, schema) => readCapture(conn, schema));
  if (method === 'triggers') return { ...status, method };
  const resume = (await onReport(side, (c) => readGeneration(c, side.reportSchema, GENERATION_TABLE)))?.binlog ?? null;
  const now = await onSource(side, (c) => readBinlogPosition(c).catch(() => null));
  return { ...status, method, binlog: { resume, current: now ? JSON.stringify(now) : null } };
}

/** Throws a UsageError naming the first binlog setting that keeps binlog capture from working. */
async function checkBinlogSettings(conn: SqlConnection): Promise<void> {
  const now = await readBinlogPosition(conn).catch((error: unknown) => {
    throw new UsageError(`binlog capture: the binlog position cannot be read (${(error as Error).message})`, {
      hint: 'grant the sync account REPLICATION CLIENT (MariaDB: BINLOG MONITOR) and REPLICATION SLAVE',
    });
  });
  if (!now) throw new UsageError('binlog capture: the source server has no binary log (log_bin=OFF)', { hint: 'start the source with log_bin, binlog_format=ROW and a server_id' });
  // MySQL fact: without GTIDs it offers no lock-free binlog position for a snapshot (capture-snapshot.ts).
  const mariadb = (await conn.query("SHOW STATUS LIKE 'binlog_snapshot_file'")).length > 0;
  const gtidMode = mariadb ? 'ON' : String((await conn.query<{ m: string }>('SELECT @@GLOBAL.gtid_mode AS m'))[0]?.m ?? 'OFF');
  if (gtidMode !== 'ON') {
    throw new UsageError(`binlog capture on MySQL needs GTIDs (gtid_mode is ${gtidMode})`, {
      hint: 'set gtid_mode=ON and enforce_gtid_consistency=ON on the source, or keep trigger capture',
    });
  }
  const reason = await checkBinlogReadable(conn, now, now);
  if (reason) throw new UsageError(`binlog capture: ${reason.detail}`, { hint: 'run `dualpipe doctor` for the settings binlog capture needs' });
}
