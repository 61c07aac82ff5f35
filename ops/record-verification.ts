/**
 * `dualpipe backup verify` leaves a line in the run history (kind `backup-verify`, the folder in
 * its details), so `status` can say whether the last backup was verified. Verifying works without
 * a report schema: the line is then simply not written, and a report server that cannot be
 * reached does not turn a verified backup into a failure.
 */
import { verifyBackup, type VerifyBackupResult } from '../backup/restore/verify-backup.js';
import { ensureHistoryTable, finishRun, startRun } from '../src/history/run-history.js';
import type { Pipeline } from '../src/pipeline.js';

/** Where the run history lives: the report side of a pipeline. */
export type HistorySide = Pick<Pipeline, 'report' | 'reportSchema'>;

/** One finished backup verification. */
export interface BackupVerification {
  /** The backup directory that was verified. */
  dir: string;
  ok: boolean;
  /** Whether it included a restore test (`status --check` measures the age of the last one). */
  restoreTest?: boolean;
  startedAt: Date;
  finishedAt?: Date;
}

/** Writes one `backup-verify` run into the report schema's run history. */
export async function recordBackupVerification(history: HistorySide, v: BackupVerification): Promise<void> {
  const conn = await history.report.connect({ database: null });
  try {
    await ensureHistoryTable(conn, history.reportSchema);
    const id = await startRun(conn, history.reportSchema, { kind: 'backup-verify', startedAt: v.startedAt });
    await finishRun(conn, history.reportSchema, id, {
      status: v.ok ? 'succeeded' : 'failed',
      finishedAt: v.finishedAt ?? new Date(),
      details: { dir: v.dir, restoreTest: v.restoreTest === true },
    });
  } finally {
    await conn.close();
  }
}

/** The options of `verifyBackup`, and where to record the outcome. */
export type VerifyAndRecordOptions = Parameters<typeof verifyBackup>[0] & {
  /** The run history to record in; without it nothing is recorded. */
  history?: HistorySide;
};

/** Verifies a backup (see verify-backup.ts) and records the outcome, failed when it threw. */
export async function verifyAndRecordBackup(o: VerifyAndRecordOptions): Promise<VerifyBackupResult> {
  const { history, ...options } = o;
  const startedAt = new Date();
  let ok = false;
  let dir = o.dir;
  try {
    const r = await verifyBackup(options);
    ok = r.ok;
    dir = r.dir;
    return r;
  } finally {
    if (history) await recordBackupVerification(history, { dir, ok, startedAt, restoreTest: Boolean(options.restoreTest) }).catch(() => {});
  }
}
