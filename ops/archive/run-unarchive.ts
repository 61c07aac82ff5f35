/**
 * `dualpipe unarchive --where …`: moves archived subjects back into the source, the reverse of
 * run-archive.ts. The filter selects rows of the root table in the archive schema; each subject is
 * that row and its cascade closure there (the same plan, walked over the archive). Before anything
 * moves, every subject is checked (unarchive-check.ts): a key taken in the source again or a
 * foreign key pointing at a row that is gone refuses the run (exit 2, nothing changed). Then chunk
 * by chunk, in one InnoDB transaction each: insert parents before children with foreign keys
 * checked, compare every table's copy with its archive rows, record the chunk (unarchive-chunks.ts),
 * commit; then delete the archive copies. The inserts fire the change-capture triggers, so mirrors
 * and reports follow at the next sync, incremental included.
 */
import { randomUUID } from 'node:crypto';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { copiedSelectList } from '../../src/rows/server-copy-sql.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { isDeadlock } from '../../src/db/retry-deadlock.js';
import { assertPlainName, qualify, quoteId } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import { createThrottle } from '../../src/guard/throttle.js';
import type { ThrottleLimits } from '../../src/guard/throttle-limits.js';
import { acquireRunLock } from '../../src/lock/run-lock.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { Pipeline } from '../../src/pipeline.js';
import { archiveFilter, fixNow } from './archive-filter.js';
import type { MoveRunResult } from './archive-result.js';
import { archivedColumns } from './archive-tables.js';
import { nextRootKeys } from './chunk-journal.js';
import { checkCopy } from './copy-check.js';
import { BY_PRIMARY, keyLists } from './key-sql.js';
import { type ArchivePlan, planArchive } from './plan-archive.js';
import { reconcileChunks } from './reconcile.js';
import { archiveLockName } from './run-archive.js';
import { sqlRowSource } from './sql-row-source.js';
import { describeProblems, findUnarchiveProblems, type UnarchiveProblem } from './unarchive-check.js';
import { type ChunkKeys, ensureUnarchiveMarkers, finishChunk, finishLeftChunks, markCommitted } from './unarchive-chunks.js';
import { walkSubjects } from './walk-subjects.js';
import { openMoveSession } from './move-session.js';

/** Options of `runUnarchive`. */
export interface UnarchiveOptions {
  pipeline: Pipeline;
  /** The filter on the archived root table, e.g. `contacts.id IN (12, 13)`. */
  where: string;
  /** Default `<source>_archive`. */
  archiveSchema?: string;
  /** Root rows per chunk (default 500). */
  chunkRows?: number;
  /** Count what would come back and check it; change nothing. */
  dryRun?: boolean;
  throttle?: ThrottleLimits;
  logger?: Logger;
  /** Test hook: runs after a chunk's commit, before its archive copies are deleted. */
  afterCommit?: (chunkNo: number) => Promise<void> | void;
}

/** What an unarchive did (or would do). */
export interface UnarchiveResult extends MoveRunResult {
  /** Chunks a killed run had committed, finished now. */
  finished: { chunks: number; rows: number };
}

/** Runs an unarchive; see the file comment. Holds the archive's lock: the two never interleave. */
export async function runUnarchive(o: UnarchiveOptions): Promise<UnarchiveResult> {
  const source = o.pipeline.sourceSchema;
  const archive = assertPlainName(o.archiveSchema ?? `${source}_archive`, 'archive schema');
  const chunkRows = o.chunkRows ?? 500;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new UsageError('--chunk-rows must be a whole number of at least 1');
  const lock = o.dryRun ? undefined : await acquireRunLock(o.pipeline.source, archiveLockName(source));
  try {
    return await unarchiveLocked(o, source, archive, chunkRows);
  } finally {
    await lock?.release();
  }
}

async function unarchiveLocked(o: UnarchiveOptions, source: string, archive: string, chunkRows: number): Promise<UnarchiveResult> {
  const log = o.logger ?? silentLogger;
  const conn = await openMoveSession(o.pipeline.source);
  const throttle = createThrottle({ limits: o.throttle, connector: o.pipeline.source, server: 'source', kind: 'unarchive', logger: log });
  try {
    const metas = new Map<string, TableMeta>((await discoverTables(conn, source)).map((m) => [m.name, m]));
    const filter = await fixNow(conn, archiveFilter(o.where, source, metas));
    const inArchive = new Set((await discoverTables(conn, archive, { engine: 'MyISAM' }).catch(() => [])).map((m) => m.name));
    if (!inArchive.has(filter.table)) throw new UsageError(`unarchive: ${archive}.${filter.table} does not exist`, { hint: `nothing of ${filter.table} was archived into ${archive}; name the archive with --archive-schema` });
    const fks = await readForeignKeys(conn, source);
    const full = planArchive(filter.table, fks, new Map([...metas].map(([t, m]) => [t, m.primaryKey])));
    // Tables the archive never received hold no archived rows; nothing outside the archive can keep a subject.
    const plan: ArchivePlan = { ...full, tables: full.tables.filter((t) => inArchive.has(t)), deleteOrder: full.deleteOrder.filter((t) => inArchive.has(t)), edges: full.edges.filter((e) => inArchive.has(e.parent) && inArchive.has(e.child)), blockers: [] };
    const pk = new Map([...metas].map(([t, m]) => [t, m.primaryKey]));
    const inPlan = fks.filter((f) => plan.tables.includes(f.child));
    const schemas = { source, archive };
    const scan = async (each: (coming: Map<string, Row[]>, roots: number) => Promise<void>) => {
      let after: Row | undefined;
      for (let chunkNo = 1; ; chunkNo++) {
        const roots = await nextRootKeys(conn, archive, metas.get(plan.root)!, filter, after, chunkRows);
        if (roots.length === 0) return chunkNo - 1;
        after = roots[roots.length - 1];
        await throttle.check();
        const walked = await walkSubjects(plan, pk, roots, sqlRowSource(conn, archive, plan, pk, false));
        await each(new Map(plan.tables.map((t) => [t, [...walked.rows.get(t)!.values()].map((r) => r.row)])), roots.length);
      }
    };
    const counts = new Map(plan.tables.map((t) => [t, 0]));
    let subjects = 0;
    const tally = (coming: Map<string, Row[]>, roots: number) => {
      subjects += roots;
      for (const [t, rows] of coming) counts.set(t, counts.get(t)! + rows.length);
    };
    const result = (dryRun: boolean, runId: string, chunks: number, finished: { chunks: number; rows: number }): UnarchiveResult => ({
      dryRun, runId, sourceSchema: source, archiveSchema: archive, root: plan.root, chunks, subjects,
      tables: plan.tables.map((table) => ({ table, rows: counts.get(table)! })), finished, throttle: throttle.stats(),
    });
    const internal = o.dryRun ? undefined : await ensureUnarchiveMarkers(conn, source);
    const finished = internal ? await finishLeftChunks(conn, { ...schemas, internal }, metas, plan.deleteOrder) : { chunks: 0, rows: 0 };
    if (finished.chunks > 0) log.info(`unarchive: finished ${finished.chunks} chunk(s) a killed run had committed (${finished.rows} archive row(s) removed)`);
    if (!o.dryRun) await reconcileChunks(conn, source, archive, plan.root, metas);
    // The check pass: every subject, before anything moves.
    const problems: UnarchiveProblem[] = [];
    const dryChunks = await scan(async (coming, roots) => {
      problems.push(...(await findUnarchiveProblems(conn, schemas, inPlan, metas, coming)));
      if (o.dryRun) tally(coming, roots);
    });
    if (problems.length > 0)
      throw new UsageError(`unarchive refused: ${describeProblems(problems)}`, { hint: 'nothing changed; bring the missing parents back or narrow --where to the subjects that can return' });
    const runId = randomUUID();
    if (o.dryRun) return result(true, runId, dryChunks, finished);
    let chunkNo = 0;
    const chunks = await scan(async (coming, roots) => {
      chunkNo++;
      for (let attempt = 1; ; attempt++) {
        await conn.execute('START TRANSACTION');
        try {
          await moveBack(conn, plan, metas, schemas, coming, chunkNo);
          const keys: ChunkKeys = Object.fromEntries([...coming].map(([t, rows]) => [t, rows.map((r) => metas.get(t)!.primaryKey.map((c) => r[c]))]));
          await markCommitted(conn, internal!, archive, runId, chunkNo, keys);
          await conn.execute('COMMIT');
          await o.afterCommit?.(chunkNo);
          await finishChunk(conn, { ...schemas, internal: internal! }, metas, plan.deleteOrder, runId, chunkNo, keys);
          tally(coming, roots);
          return;
        } catch (error) {
          await conn.execute('ROLLBACK').catch(() => undefined);
          if (!isDeadlock(error) || attempt >= 5) throw error;
        }
      }
    });
    return result(false, runId, chunks, finished);
  } finally {
    await throttle.close();
    await conn.close();
  }
}

/** Inserts one chunk's rows into the source, parents first, and checks them against the archive; commits nothing. */
async function moveBack(conn: SqlConnection, plan: ArchivePlan, metas: ReadonlyMap<string, TableMeta>, s: { source: string; archive: string }, coming: ReadonlyMap<string, Row[]>, chunkNo: number): Promise<void> {
  for (const t of plan.tables) {
    const meta = metas.get(t)!;
    const cols = archivedColumns(meta).map(quoteId).join(', ');
    const values = copiedSelectList(writableColumns(meta), 'a');
    for (const w of keyLists('a', meta.primaryKey, coming.get(t)!)) {
      await conn.execute(`INSERT INTO ${qualify(s.source, t)} (${cols}) SELECT ${values} FROM ${qualify(s.archive, t)} AS a ${BY_PRIMARY} WHERE ${w.sql} ORDER BY ${meta.primaryKey.map((c) => `a.${quoteId(c)}`).join(', ')}`, w.params);
    }
  }
  await checkCopy(conn, { verb: `unarchive into ${s.source}`, from: s.archive, to: s.source, chunkNo }, metas, coming);
}
