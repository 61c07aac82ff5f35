/**
 * `dualpipe restore`: a backup back into InnoDB. Everything is validated before anything is
 * written; all work happens in a staging schema; one atomic RENAME swaps the restored tables in
 * and the replaced ones out into a previous schema (the rollback window). A restore killed at any
 * point before that RENAME leaves the live tables exactly as they were; the next run drops the
 * leftover staging schema.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { AbortedError, UsageError } from '../../src/errors.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { silentLogger } from '../../src/log/logger.js';
import { locateBackup } from '../format/read-backup.js';
import { requireCompression } from '../format/chunk-compression.js';
import { binlogReplayCommand } from './binlog-replay.js';
import { executeRestore } from './execute-restore.js';
import { createThrottle } from '../../src/guard/throttle.js';
import { inspectTarget } from './inspect-target.js';
import { restoreSchemas } from './plan-restore.js';
import { checkLocalInfile, checkRestoreTarget, dryRunResult, prepareRestore } from './prepare-restore.js';
import type { RestoreOptions, RestoreResult } from './restore-types.js';
import { prepareErasures, withholdIn, writeBackLedger } from './erasure-ledger-restore.js';
import { restoreArchive } from './restore-archive.js';
import { describeLost, type LostRowCount } from './count-lost-rows.js';
import { checkKeepSchemaFree, checkKeepSchemaName, compareLostInSnapshot, countLostFromLog, keepLostRows, tableSums } from './lost-rows.js';

export type { RestoreOptions, RestoreResult, RestoreTableResult } from './restore-types.js';

/** Drops a schema dualpipe restored into for its own checks, with the staging and previous schemas a restore derives from it. */
export async function dropScratchRestore(conn: SqlConnection, schema: string): Promise<void> {
  for (const s of [schema, restoreSchemas(schema).staging, restoreSchemas(schema).previous]) await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(s)}`);
}

/**
 * Locates the backup, prepares the restore (plan and verified chunks; `--dry-run` stops there),
 * asks `confirm` when live tables would be replaced, then runs the plan under the restore lock.
 */
export async function runRestore(o: RestoreOptions): Promise<RestoreResult> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const threads = Math.max(1, o.threads ?? 2);
  checkRestoreTarget(o);
  const throwIfAborted = () => {
    if (o.signal?.aborted) throw new AbortedError('restore interrupted: the live tables were not changed');
  };
  const backup = await locateBackup(o.from, o.key);
  // Before the server is touched: a zstd backup needs a zstd to read it (chunk-compression.ts).
  requireCompression(backup.manifest.compression, 'read');
  for (const note of backup.notes) log.info({ dir: backup.dir }, note);
  if (o.archive && !backup.manifest.archive)
    throw new UsageError(`--archive: the backup ${backup.dir} holds no archive`, { hint: 'it was taken when the source had no archive schema, or by an older dualpipe; leave out --archive' });
  const admin = await o.connector.connect({ database: null });
  try {
    const prepared = await prepareRestore(admin, o, backup);
    // Before anything is loaded or changed: a ledger that is not empty needs its key (exit 2 without it).
    const erasures = o.ignoreErasures ? undefined : await prepareErasures(admin, backup, o.target, o);
    const first = prepared.plan;
    if (o.keepLost !== undefined) {
      checkKeepSchemaName(o.keepLost, o.target);
      await checkKeepSchemaFree(admin, o.keepLost, first.replaced);
    }
    const since = o.since ?? 'backup';
    const before = first.replaced.length ? await countLostFromLog(admin, first, backup.manifest, o.syncHistory) : undefined;
    if (o.dryRun) {
      const dry = dryRunResult(prepared);
      if (!before) return dry;
      return { ...dry, lostRows: before, planText: `-- ${describeLost(before, since)}\n${dry.planText ?? ''}` };
    }
    // Refused before asking; asked about after the confirmation, which already shows the count.
    if (o.lostRows === 'refuse') await settleLost(o, before, since);
    await checkLocalInfile(admin);
    if (first.replaced.length && o.confirm && !(await o.confirm(first, before)))
      throw new AbortedError('restore cancelled: nothing was changed');
    if (o.lostRows !== 'refuse') await settleLost(o, before, since);
    throwIfAborted();
    const lock = await acquireRunLock(o.connector, lockName('restore', o.target), { waitSeconds: o.waitForLockSeconds ?? 0 });
    // The restore target's load counts: the chunks are written into it.
    const throttle = createThrottle({ limits: o.throttle, connector: o.connector, server: 'restore target', kind: 'restore', logger: log });
    try {
      // Checked again under the lock: the target may have changed while we validated or asked.
      const p = await prepared.replan();
      if (p.replaced.join(',') !== first.replaced.join(','))
        throw new UsageError(`the tables of ${o.target} changed while the restore was being prepared`, { hint: 'run the restore again' });
      let lost: LostRowCount | undefined;
      let kept: RestoreResult['keptLost'];
      let sums = new Map<string, string>();
      let withheld: RestoreResult['withheld'];
      // Counted again, exactly, once the backup is loaded beside the live tables: the last moment
      // before the swap, so it includes what writers committed during the load.
      // Once loaded, the staging copy has its foreign keys: InnoDB's cascades take dependents the ledger never saw.
      const afterLoad = async () => {
        withheld = await withholdIn(admin, p.schemas.staging, erasures);
        if (erasures) await writeBackLedger(admin, o.target, erasures.ledger);
        if (withheld) log.info({ rows: withheld.matched, cascaded: withheld.cascaded, erasures: withheld.erasures }, 'restore: forgotten rows withheld');
      };
      const beforeSwap = async () => {
        if (!p.replaced.length) return;
        ({ lost, sums } = await compareLostInSnapshot(admin, p));
        log.info({ rows: lost.rows, tables: lost.tables.length, unknown: lost.unknown.length }, 'restore: rows written since the backup counted');
        await settleLost(o, lost, since);
        if (o.keepLost !== undefined) kept = await keepLostRows(admin, p, o.keepLost, lost);
      };
      const done = await executeRestore(o, p, { admin, log, threads, throwIfAborted, now: clock, pace: () => throttle.check(o.signal), ...(erasures ? { afterLoad } : {}), beforeSwap });
      // The RENAME waits for writers' open transactions: what they committed after the count went
      // to the previous schema uncounted. Nothing can write there now: compare its sums with the count's.
      if (lost && p.keepsWindow) {
        const after = await tableSums(admin, p.schemas.previous, p.replaced);
        const changed = [...sums].filter(([t, sum]) => after.has(t) && after.get(t) !== sum).map(([t]) => t);
        if (changed.length) {
          lost = { ...lost, changedDuringSwap: changed };
          log.warn({ tables: changed, previous: p.schemas.previous }, 'restore: rows committed after the count, while the swap waited, are only in the previous schema');
        }
      }
      const m = backup.manifest;
      // After the live tables: the archive is the opt-in second part, swapped by its own RENAME.
      const archive = o.archive && m.archive ? await restoreArchive({ connector: o.connector, admin, dir: backup.dir, archive: m.archive, target: o.target, key: o.key?.key, erasures, threads, waitForLockSeconds: o.waitForLockSeconds }) : undefined;
      if (archive) log.info({ schema: archive.schema, rows: archive.rows, withheld: archive.withheld?.matched ?? 0 }, 'restore: archive restored');
      const seconds = (clock().getTime() - started.getTime()) / 1000;
      const replay =
        m.binlog && o.target === m.sourceSchema
          ? binlogReplayCommand({ flavor: (await readServerInfo(admin)).flavor, start: m.binlog, schema: m.sourceSchema, ...(erasures ? { erasures: {} } : {}) })
          : undefined;
      return {
        ...prepared.base,
        ...done,
        dryRun: false,
        previous: p.keepsWindow ? p.schemas.previous : null,
        replaced: p.replaced,
        rows: p.totals.rows,
        bytes: p.totals.bytes,
        seconds,
        rowsPerSecond: Math.round(p.totals.rows / Math.max(seconds, 0.001)),
        ...(replay ? { binlogReplay: replay } : {}),
        ...(o.throttle ? { throttle: throttle.stats() } : {}),
        ...(lost ? { lostRows: lost } : {}),
        ...(kept ? { keptLost: kept } : {}),
        ...(withheld ? { withheld } : {}),
        ...(archive ? { archive } : {}),
      };
    } finally {
      await throttle.close();
      await lock.release().catch(() => {});
    }
  } finally {
    await admin.close();
  }
}

/**
 * Applies `lostRows` when rows written since the backup would be discarded, or (after the load,
 * where the comparison is exact) when a replaced table's could not be counted: `refuse` (the CLI
 * without `--yes` and without a terminal) throws, a function is asked and false cancels.
 */
async function settleLost(o: RestoreOptions, lost: LostRowCount | undefined, since: string): Promise<void> {
  const policy = o.lostRows ?? 'discard';
  if (policy === 'discard' || !lost) return;
  if (lost.rows === 0 && (lost.method !== 'compared' || lost.unknown.length === 0)) return;
  if (policy !== 'refuse') {
    if (!(await policy(lost))) throw new AbortedError(`restore cancelled: ${describeLost(lost, since)}; nothing was changed`);
    return;
  }
  throw new UsageError(`${describeLost(lost, since)}: refusing without --yes; nothing was changed`, {
    hint: `pass --yes to discard them, or --yes --keep-lost SCHEMA to keep a copy of them in SCHEMA`,
  });
}

export { inspectTarget };
