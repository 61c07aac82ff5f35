/**
 * Runs a restore plan (plan-restore.ts), step by step. Everything up to the RENAME happens in the
 * staging schema: a failure or an abort before it drops the staging schema and leaves the live
 * tables exactly as they were; after it, the restored tables are live.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { retryOnDeadlock } from '../../src/db/retry-deadlock.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { AbortedError, StepError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { publishTables } from '../../src/catalog/publish-tables.js';
import { withCaptureOff } from '../../sync/capture/capture.js';
import { schemaExists } from './inspect-target.js';
import { loadTables, openLoadSession } from './load-chunk.js';
import { RESTORE_INFO_TABLE, type RestorePlan } from './plan-restore.js';
import { probeCaptureReinstall } from './probe-trigger.js';
import type { RestoreOptions, RestoreResult, RestoreTableResult } from './restore-types.js';
import { checkForeignKeysStayed, OrphanChecks, verifyTableContent } from './verify-restored.js';
import { notePhase } from '../../src/guard/run-watch.js';

/** How a restore runs its plan: the admin session, the logger, the load sessions to open, abort checks and the clock. */
export interface RestoreRun {
  admin: SqlConnection;
  log: Logger;
  threads: number;
  throwIfAborted: () => void;
  now: () => Date;
  /** Waits while the target is too busy (the run's throttle); called before each chunk load. */
  pace?: () => Promise<void>;
  /**
   * Runs once every table is loaded, checked against the manifest and has its foreign keys, before
   * the foreign keys to live parents are checked (withholding forgotten rows: a `--tables` child of
   * an erased live parent would be an orphan until then); set, it defers those checks until after it.
   */
  afterLoad?: () => Promise<void>;
  /** Runs once the staging schema is loaded and verified, just before the swap (count and keep the lost rows); may throw to cancel. */
  beforeSwap?: () => Promise<void>;
}

/** One restore under way: the plan, its options, and the load sessions opened so far. */
interface Step extends RestoreRun {
  o: RestoreOptions;
  plan: RestorePlan;
  sessions: SqlConnection[];
}

const UTF8MB4 = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci';

/** Runs `plan`: the caller holds the restore lock on its target and has checked local_infile. */
export async function executeRestore(
  o: RestoreOptions,
  plan: RestorePlan,
  run: RestoreRun,
): Promise<Pick<RestoreResult, 'tables' | 'cleanedUp' | 'foreignKeysChecked'>> {
  const x: Step = { ...run, o, plan, sessions: [] };
  const s = plan.schemas;
  let swapped = false;
  const abort = () => x.sessions.forEach((c) => c.destroy());
  o.signal?.addEventListener('abort', abort);
  try {
    const cleanedUp = await dropLeftovers(x);
    run.throwIfAborted();
    await createStaging(x);
    await probeCaptureReinstall(run.admin, s.target, s.staging, RESTORE_INFO_TABLE);
    await recordInfo(x);
    const metas = await createTables(x);
    const { results, orphans } = await loadVerifyAndIndex(x, metas);
    await run.afterLoad?.();
    const foreignKeysChecked = await checkForeignKeys(x, orphans);
    run.throwIfAborted();
    await run.beforeSwap?.();
    run.throwIfAborted();
    await makeRoomForPrevious(x);
    run.throwIfAborted();
    await swapIn(x, () => (swapped = true));
    await checkForeignKeysStayed(run.admin, s.target, plan.tables.map((t) => t.name));
    await dropStaging(x);
    return { tables: results.sort((a, b) => a.table.localeCompare(b.table)), cleanedUp, foreignKeysChecked };
  } catch (error) {
    if (!swapped) {
      abort();
      await run.admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.staging)}`).catch(() => {});
    }
    throw o.signal?.aborted && !swapped ? new AbortedError('restore interrupted: the live tables were not changed', { cause: error }) : error;
  } finally {
    o.signal?.removeEventListener('abort', abort);
    await Promise.all(x.sessions.map((c) => c.close()));
  }
}

/** Drops the staging and scratch schemas an interrupted restore or rollback left; returns their names. */
async function dropLeftovers({ admin, log, plan }: Step): Promise<string[]> {
  const cleanedUp: string[] = [];
  for (const leftover of [plan.schemas.staging, plan.schemas.scratch])
    if (await schemaExists(admin, leftover)) {
      await admin.execute(`DROP DATABASE ${quoteId(leftover)}`);
      cleanedUp.push(leftover);
      log.warn({ schema: leftover }, 'dropped a schema left by an interrupted restore or rollback');
    }
  return cleanedUp;
}

/** The staging schema, the load sessions on it, and the info table the RENAME moves into the previous schema. */
async function createStaging(x: Step): Promise<void> {
  await x.admin.execute(`CREATE DATABASE ${quoteId(x.plan.schemas.staging)} ${UTF8MB4}`);
  for (let i = 0; i < x.threads; i++) x.sessions.push(await openLoadSession(x.o.connector, x.plan.schemas.staging));
  await x.sessions[0]!.execute(x.plan.infoTableSql);
}

/** What `--rollback` reads back from the previous schema: which backup, when, and what it replaced. */
async function recordInfo({ sessions, plan, now }: Step): Promise<void> {
  const s = plan.schemas;
  const info = { backupDir: plan.backupDir, restoredAt: now().toISOString(), target: s.target, tables: plan.tables.map((t) => t.name), replaced: plan.replaced };
  await sessions[0]!.execute(`INSERT INTO ${qualify(s.staging, RESTORE_INFO_TABLE)} VALUES (1, ?)`, [JSON.stringify(info)]);
}

/** Creates every table in the staging schema; returns them as information_schema describes them. */
async function createTables({ sessions, plan, log }: Step): Promise<Map<string, TableMeta>> {
  const ddl = sessions[0]!;
  for (const t of plan.tables)
    await ddl.execute(t.createSql).catch((error: unknown) => {
      throw new StepError('restore: creating the table', t.name, { cause: error });
    });
  const metas = new Map((await discoverTables(ddl, plan.schemas.staging)).map((meta) => [meta.name, meta]));
  log.info({ schema: plan.schemas.staging, tables: plan.tables.length }, 'restore: staging schema created');
  return metas;
}

/**
 * Loads every table on the load sessions; as each finishes, checks its row count and content
 * checksum, adds its deferred indexes and foreign keys, and starts the orphan checks of the keys
 * whose child and parent are both complete, overlapping the rest of the load.
 */
async function loadVerifyAndIndex(x: Step, metas: Map<string, TableMeta>): Promise<{ results: RestoreTableResult[]; orphans: OrphanChecks }> {
  const { o, plan, log } = x;
  const staging = plan.schemas.staging;
  const results: RestoreTableResult[] = [];
  const orphans = new OrphanChecks(staging);
  const finished = new Set<string>(x.afterLoad ? [] : plan.liveParents);
  const pendingFks = [...plan.foreignKeyChecks];
  const loaded = new Map<string, number>();
  let total = 0;
  await loadTables({
    sessions: x.sessions,
    dir: plan.backupDir,
    tables: plan.tables,
    ...(o.key ? { key: o.key.key } : {}),
    throwIfAborted: x.throwIfAborted,
    ...(x.pace ? { pace: x.pace } : {}),
    onRows: (table, rows) => {
      notePhase(`loading ${table} into ${staging}`);
      const t = plan.tables.find((p) => p.name === table)!;
      loaded.set(table, (loaded.get(table) ?? 0) + rows);
      total += rows;
      o.onProgress?.({ item: table, done: loaded.get(table)!, total: t.rows, unit: 'rows' });
      o.onProgress?.({ item: 'restore', done: total, total: plan.totals.rows, unit: 'rows' });
    },
    finishTable: async (conn, t, loadedAfterSeconds) => {
      log.info({ table: t.name, rows: t.rows }, `restore: table ${t.name} loaded`);
      await verifyTableContent(conn, staging, t, metas.get(t.name)!);
      const t0 = Date.now();
      // Other tables' ALTERs run at once: on MySQL those adding foreign keys to one parent can deadlock.
      for (const alterSql of t.alterSqls)
        await retryOnDeadlock(() => conn.execute(alterSql)).catch((error: unknown) => {
          throw new StepError('restore: adding the indexes and foreign keys', t.name, { cause: error });
        });
      results.push({
        table: t.name,
        rows: t.rows,
        chunks: t.loads.length,
        bytes: t.bytes,
        replaced: t.replaces,
        loadedAfterSeconds,
        indexSeconds: (Date.now() - t0) / 1000,
      });
      finished.add(t.name);
      const ready = pendingFks.filter((fk) => finished.has(fk.table) && finished.has(fk.refTable));
      for (const fk of ready) pendingFks.splice(pendingFks.indexOf(fk), 1);
      return ready.map((fk) => (c: SqlConnection) => orphans.check(c, fk));
    },
  });
  log.info({ tables: results.length }, 'restore: tables loaded and checked');
  return { results, orphans };
}

/** Completes the orphan checks: every foreign key of the staging schema not checked during the load; returns how many keys there are. */
async function checkForeignKeys({ sessions, log, throwIfAborted }: Step, orphans: OrphanChecks): Promise<number> {
  const fk = await orphans.finish(sessions, throwIfAborted);
  log.info({ foreignKeys: fk.foreignKeys }, 'restore: verified');
  return fk.foreignKeys;
}

/**
 * A later restore replaces the earlier rollback window (its tables no longer describe what is live);
 * that one is only dropped once the new data is fully loaded and verified. A new window is created
 * only when live tables are replaced: a restore into a new or empty schema leaves no previous schema.
 * The target is created when it does not exist.
 */
async function makeRoomForPrevious({ admin, plan }: Step): Promise<void> {
  const s = plan.schemas;
  await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.previous)}`);
  if (plan.keepsWindow) await admin.execute(`CREATE DATABASE ${quoteId(s.previous)} ${UTF8MB4}`);
  await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(s.target)} ${UTF8MB4}`);
}

/**
 * One RENAME TABLE is atomic (MySQL 8 atomic DDL, MariaDB's DDL log): every live table is the old
 * one or every one is restored. Foreign keys move along and point within their schema. Change
 * capture is taken off the target for it and installed again after it.
 */
async function swapIn({ o, admin, plan, log }: Step, swapped: () => void): Promise<void> {
  await withCaptureOff(
    o.connector,
    admin,
    plan.schemas.target,
    async () => {
      notePhase(`swapping the restored tables into ${plan.schemas.target}`);
      await publishTables(admin, [plan.renameSql], { flavor: (await readServerInfo(admin)).flavor, politeMs: o.swapWaitMs ?? 10_000, logger: log });
      swapped();
    },
    log,
  );
  log.info({ target: plan.schemas.target, previous: plan.keepsWindow ? plan.schemas.previous : null }, 'restore: swapped in');
}

/** The staging schema is empty after the swap; a failure to drop it is left to the next restore. */
async function dropStaging({ admin, plan, log }: Step): Promise<void> {
  const staging = plan.schemas.staging;
  await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(staging)}`).catch((error: unknown) => {
    log.warn({ schema: staging, error: String(error) }, 'could not drop the empty staging schema: the next restore drops it');
  });
}
