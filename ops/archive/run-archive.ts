/**
 * `dualpipe archive`: moves the rows a `--where` selects on one root table, with every row that
 * depends on them through ON DELETE CASCADE keys, into MyISAM tables of an archive schema, chunk
 * by chunk, each chunk checked against its copy before its delete commits. Plan: plan-archive.ts;
 * which subjects stay: walk-subjects.ts; one chunk: archive-chunk.ts; after a kill: reconcile.ts.
 */
import { randomUUID } from 'node:crypto';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { readForeignKeys } from '../../src/catalog/foreign-keys.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { isDeadlock } from '../../src/db/retry-deadlock.js';
import { assertPlainName } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import { createThrottle } from '../../src/guard/throttle.js';
import type { ThrottleLimits } from '../../src/guard/throttle-limits.js';
import { archiveLockName } from '../../src/lock/archive-lock.js';
import { acquireRunLock, type RunLock } from '../../src/lock/run-lock.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { Pipeline } from '../../src/pipeline.js';
import { leavingRows, moveChunk } from './archive-chunk.js';
import { archiveFilter, fixNow } from './archive-filter.js';
import { ensureArchiveTables } from './archive-tables.js';
import type { ArchiveResult } from './archive-result.js';
import { ArchiveTally } from './archive-tally.js';
import { journalChunk, lockRoots, markChunkDone, nextRootKeys } from './chunk-journal.js';
import { planArchive } from './plan-archive.js';
import { reconcileChunks } from './reconcile.js';
import { sqlRowSource } from './sql-row-source.js';
import { walkSubjects } from './walk-subjects.js';
import { openMoveSession } from './move-session.js';

/** Options of `runArchive`. */
export interface ArchiveOptions {
  pipeline: Pipeline;
  /** The filter on the root table, e.g. `contacts.created_at < NOW() - INTERVAL 2 YEAR`. */
  where: string;
  /** Default `<source>_archive`. */
  archiveSchema?: string;
  /** Root rows per chunk (default 500). */
  chunkRows?: number;
  /** `keep` (default): subjects still referenced by live rows stay; `refuse`: exit 2 naming them, nothing changed. */
  onReferenced?: 'keep' | 'refuse';
  /** Count what would move; change nothing. */
  dryRun?: boolean;
  throttle?: ThrottleLimits;
  logger?: Logger;
  /** Test hook: runs after a chunk's copy is checked, before its deletes. */
  afterCopy?: (chunkNo: number) => Promise<void> | void;
}

/** The archive lock's name (src/lock/archive-lock.ts), where the archive's callers have always found it. */
export { archiveLockName };

/** Names the session holding a busy archive lock: its connection id and client host (best effort). */
async function describeArchiveHolder(session: SqlConnection, name: string): Promise<string | undefined> {
  const [row] = await session.query<{ id: number | string | null; host: string | null }>(
    'SELECT l.id, p.HOST AS host FROM (SELECT IS_USED_LOCK(?) AS id) AS l LEFT JOIN information_schema.PROCESSLIST AS p ON p.ID = l.id',
    [name],
  );
  return row?.id === null || row?.id === undefined ? undefined : `archive session ${row.id}${row.host ? ` from ${row.host}` : ''}`;
}

/** Runs an archive; see the file comment. */
export async function runArchive(o: ArchiveOptions): Promise<ArchiveResult> {
  const source = o.pipeline.sourceSchema;
  const archive = assertPlainName(o.archiveSchema ?? `${source}_archive`, 'archive schema');
  const chunkRows = o.chunkRows ?? 500;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new UsageError('--chunk-rows must be a whole number of at least 1');
  // A dry run changes nothing and may count while a real run moves; every other run holds the
  // lock from before its first read to its end, so two never interleave chunks or reconcile each
  // other's open chunk (reconcile.ts would take a live run's uncommitted copy for a killed one's).
  // The lock dies with its session: a killed run never blocks the rerun.
  const lock: RunLock | undefined = o.dryRun
    ? undefined
    : await acquireRunLock(o.pipeline.source, archiveLockName(source), {
        describeHolder: describeArchiveHolder,
      });
  try {
    return await archiveLocked(o, source, archive, chunkRows);
  } finally {
    await lock?.release();
  }
}

async function archiveLocked(o: ArchiveOptions, source: string, archive: string, chunkRows: number): Promise<ArchiveResult> {
  const log = o.logger ?? silentLogger;
  const conn = await openMoveSession(o.pipeline.source);
  const throttle = createThrottle({ limits: o.throttle, connector: o.pipeline.source, server: 'source', kind: 'archive', logger: log });
  try {
    const metas = new Map<string, TableMeta>((await discoverTables(conn, source)).map((m) => [m.name, m]));
    const filter = await fixNow(conn, archiveFilter(o.where, source, metas));
    const fks = await readForeignKeys(conn, source);
    const pk = new Map([...metas].map(([t, m]) => [t, m.primaryKey]));
    const plan = planArchive(filter.table, fks, pk);
    const runId = randomUUID();
    const walk = async (roots: Row[], lock: boolean) => walkSubjects(plan, pk, roots, sqlRowSource(conn, source, plan, pk, lock));
    const scan = async (each: (roots: Row[], chunkNo: number) => Promise<void>) => {
      let after: Row | undefined;
      for (let chunkNo = 1; ; chunkNo++) {
        const roots = await nextRootKeys(conn, source, metas.get(plan.root)!, filter, after, chunkRows);
        if (roots.length === 0) return chunkNo - 1;
        after = roots[roots.length - 1];
        await throttle.check();
        await each(roots, chunkNo);
      }
    };
    if (o.dryRun || o.onReferenced === 'refuse') {
      const dry = new ArchiveTally(plan);
      const chunks = await scan(async (roots) => dry.add(await walk(roots, false)));
      if (!o.dryRun && dry.keptSubjects > 0)
        throw new UsageError(`archive refused: ${dry.keptSubjects} subject(s) are still referenced by live rows: ${dry.keptReports().map((k) => `${k.foreignKey} (${k.table}; e.g. ${plan.root} ${k.examples.join(', ')})`).join('; ')}`, {
          hint: 'nothing changed; run with --on-referenced keep to archive the others, or remove the references first',
        });
      if (o.dryRun) return dry.result({ dryRun: true, runId, source, archive, chunks, reconciled: { chunks: 0, rows: 0 }, throttle: throttle.stats() });
    }
    await ensureArchiveTables(conn, plan, fks, { source, archive }, metas);
    const reconciled = await reconcileChunks(conn, source, archive, plan.root, metas);
    if (reconciled.chunks > 0) log.info(`archive: reconciled ${reconciled.chunks} chunk(s) a killed run left, removing ${reconciled.rows} uncommitted archive row(s)`);
    const tally = new ArchiveTally(plan);
    let journalNo = 0;
    const chunks = await scan(async (roots) => {
      for (let attempt = 1; ; attempt++) {
        const chunkNo = ++journalNo;
        await journalChunk(conn, archive, runId, chunkNo, plan.root, metas.get(plan.root)!.primaryKey, roots);
        await conn.execute('START TRANSACTION');
        try {
          const locked = await lockRoots(conn, source, metas.get(plan.root)!, plan.columns.get(plan.root)!, filter, roots);
          const subjects = await walk(locked, true);
          const leaving = leavingRows(plan, subjects);
          await moveChunk({ conn, plan, metas, source, archive, runId, afterCopy: o.afterCopy }, chunkNo, leaving);
          await conn.execute('COMMIT');
          await markChunkDone(conn, archive, runId, chunkNo, leaving);
          tally.add(subjects);
          return;
        } catch (error) {
          await conn.execute('ROLLBACK').catch(() => undefined);
          // A deadlock rolled the chunk back: remove its copy now and take the chunk again.
          if (!isDeadlock(error) || attempt >= 5) throw error;
          await reconcileChunks(conn, source, archive, plan.root, metas);
        }
      }
    });
    return tally.result({ dryRun: false, runId, source, archive, chunks, reconciled, throttle: throttle.stats() });
  } finally {
    await throttle.close();
    await conn.close();
  }
}
