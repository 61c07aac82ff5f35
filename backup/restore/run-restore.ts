/**
 * `dualpipe restore`: a backup back into InnoDB. Everything is validated before anything is
 * written; all work happens in a staging schema; one atomic RENAME swaps the restored tables in
 * and the replaced ones out into a previous schema (the rollback window). A restore killed at any
 * point before that RENAME leaves the live tables exactly as they were; the next run drops the
 * leftover staging schema.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { readServerInfo } from '../../src/db/server-info.js';
import { AbortedError, DualpipeError, StepError, UsageError } from '../../src/errors.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { publishTables } from '../../src/catalog/publish-tables.js';
import { loadTables, openLoadSession } from './load-chunk.js';
import type { RestoreOptions, RestoreResult, RestoreTableResult } from './restore-types.js';
import { probeCaptureReinstall } from './probe-trigger.js';
import { MANIFEST_FILE } from '../format/manifest.js';
import { describeRestorePlan, planRestore, RESTORE_INFO_TABLE, type RestorePlan, restoreSchemas } from './plan-restore.js';
import { inspectTarget, schemaExists, SYSTEM_SCHEMAS } from './inspect-target.js';
import { withCaptureOff } from '../../sync/capture/capture.js';
import { locateBackup, verifyChunks } from '../format/read-backup.js';
import { checkForeignKeysStayed, OrphanChecks, verifyTableContent } from './verify-restored.js';


export type { RestoreOptions, RestoreResult, RestoreTableResult } from './restore-types.js';

/** Drops a schema dualpipe restored into for its own checks, with the staging and previous schemas a restore derives from it. */
export async function dropScratchRestore(conn: SqlConnection, schema: string): Promise<void> {
  for (const s of [schema, restoreSchemas(schema).staging, restoreSchemas(schema).previous]) await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(s)}`);
}

/** Restores a backup into InnoDB: validated, loaded aside, swapped in with one atomic RENAME. */
export async function runRestore(o: RestoreOptions): Promise<RestoreResult> {
  const log = o.logger ?? silentLogger;
  const clock = o.clock ?? (() => new Date());
  const started = clock();
  const threads = Math.max(1, o.threads ?? 2);
  if (!o.target || o.target.length > 64 || SYSTEM_SCHEMAS.has(o.target.toLowerCase()) || (/__dp_(restore|previous|rollback|merge)$/.test(o.target) && !o.scratch))
    throw new UsageError(`cannot restore into schema "${o.target}"`, {
      hint: 'name a user schema of at most 64 characters (not a system schema or one of dualpipe\'s own)',
    });
  const throwIfAborted = () => {
    if (o.signal?.aborted) throw new AbortedError('restore interrupted: the live tables were not changed');
  };
  const backup = await locateBackup(o.from, o.key);
  for (const note of backup.notes) log.info({ dir: backup.dir }, note);
  const m = backup.manifest;
  const mirrors = m.tables.filter((t) => t.kind === 'mirror' && (!o.tables || o.tables.includes(t.name)));
  const admin = await o.connector.connect({ database: null });
  const plan = async () =>
    planRestore({
      manifest: m,
      backupDir: backup.dir,
      target: o.target,
      targetState: await inspectTarget(admin, o.target, mirrors.map((t) => t.name)),
      indexes: o.indexes ?? 'after-load',
      manifestFile: `${backup.dir}/${MANIFEST_FILE}`,
      ...(o.tables ? { only: o.tables } : {}),
    });
  try {
    const first = await plan();
    await verifyChunks(backup.dir, mirrors, {
      threads: Math.max(threads, 2),
      onProgress: (done, total) => o.onProgress?.({ item: 'checking chunks', done, total, unit: 'bytes' }),
    });
    log.info({ dir: backup.dir, tables: first.totals.tables, rows: first.totals.rows, replaces: first.replaced.length }, 'restore validated');
    const base = {
      backupDir: backup.dir,
      backupFinishedAt: m.finishedAt,
      syncRunId: m.sync.runId,
      target: o.target,
      skipped: first.skipped,
      notes: [
        ...backup.notes,
        ...(first.liveParents.length && first.replaced.length
          ? [
              `the replaced tables kept in ${first.schemas.previous} still reference the live ${first.liveParents.join(', ')}: ` +
                'until `--drop-previous`, deleting a row they reference with RESTRICT fails and cascades reach them',
            ]
          : []),
      ],
    };
    if (o.dryRun) {
      return {
        ...base,
        dryRun: true,
        previous: null,
        tables: [],
        replaced: first.replaced,
        foreignKeysChecked: 0,
        rows: 0,
        bytes: 0,
        seconds: 0,
        rowsPerSecond: 0,
        cleanedUp: [],
        planText: describeRestorePlan(first),
      };
    }
    const infile = await admin.query<{ v: number | string }>('SELECT @@GLOBAL.local_infile AS v');
    if (Number(infile[0]?.v) !== 1)
      throw new DualpipeError('the server refuses LOAD DATA LOCAL INFILE (local_infile=OFF)', {
        hint: 'enable it with `SET GLOBAL local_infile=1`, or start the server with --local-infile=1',
      });
    if (first.replaced.length && o.confirm && !(await o.confirm(first)))
      throw new AbortedError('restore cancelled: nothing was changed');
    throwIfAborted();
    const lock = await acquireRunLock(o.connector, lockName('restore', o.target), { waitSeconds: o.waitForLockSeconds ?? 0 });
    try {
      // Checked again under the lock: the target may have changed while we validated or asked.
      const p = await plan();
      if (p.replaced.join(',') !== first.replaced.join(','))
        throw new UsageError(`the tables of ${o.target} changed while the restore was being prepared`, { hint: 'run the restore again' });
      const done = await execute(o, p, backup.dir, { admin, log, threads, throwIfAborted, now: clock });
      const seconds = (clock().getTime() - started.getTime()) / 1000;
      return {
        ...base,
        ...done,
        dryRun: false,
        previous: p.schemas.previous,
        replaced: p.replaced,
        rows: p.totals.rows,
        bytes: p.totals.bytes,
        seconds,
        rowsPerSecond: Math.round(p.totals.rows / Math.max(seconds, 0.001)),
      };
    } finally {
      await lock.release().catch(() => {});
    }
  } finally {
    await admin.close();
  }
}

async function execute(
  o: RestoreOptions,
  plan: RestorePlan,
  dir: string,
  x: { admin: SqlConnection; log: Logger; threads: number; throwIfAborted: () => void; now: () => Date },
): Promise<Pick<RestoreResult, 'tables' | 'cleanedUp' | 'foreignKeysChecked'>> {
  const { admin, log, throwIfAborted } = x;
  const s = plan.schemas;
  const sessions: SqlConnection[] = [];
  let swapped = false;
  const abort = () => sessions.forEach((c) => c.destroy());
  o.signal?.addEventListener('abort', abort);
  try {
    const cleanedUp: string[] = [];
    for (const leftover of [s.staging, s.scratch])
      if (await schemaExists(admin, leftover)) {
        await admin.execute(`DROP DATABASE ${quoteId(leftover)}`);
        cleanedUp.push(leftover);
        log.warn({ schema: leftover }, 'dropped a schema left by an interrupted restore or rollback');
      }
    throwIfAborted();
    await admin.execute(`CREATE DATABASE ${quoteId(s.staging)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    for (let i = 0; i < x.threads; i++) sessions.push(await openLoadSession(o.connector, s.staging));
    const ddl = sessions[0]!;
    await ddl.execute(plan.infoTableSql);
    await probeCaptureReinstall(admin, s.target, s.staging, RESTORE_INFO_TABLE);
    const info = { backupDir: dir, restoredAt: x.now().toISOString(), target: s.target, tables: plan.tables.map((t) => t.name), replaced: plan.replaced };
    await ddl.execute(`INSERT INTO ${qualify(s.staging, RESTORE_INFO_TABLE)} VALUES (1, ?)`, [JSON.stringify(info)]);
    for (const t of plan.tables)
      await ddl.execute(t.createSql).catch((error: unknown) => {
        throw new StepError('restore: creating the table', t.name, { cause: error });
      });
    const metas = new Map((await discoverTables(ddl, s.staging)).map((meta) => [meta.name, meta]));
    log.info({ schema: s.staging, tables: plan.tables.length }, 'restore: staging schema created');

    const results: RestoreTableResult[] = [];
    // Foreign keys are checked as soon as child and parent are complete, overlapping the load.
    const orphans = new OrphanChecks(s.staging);
    const finished = new Set<string>();
    // A parent left out of --tables is live and complete already.
    const live = new Set(plan.liveParents);
    for (const p of live) finished.add(p);
    const pendingFks = plan.tables.flatMap((t) =>
      t.foreignKeys.map((fk) => ({ table: t.name, ...fk, refSchema: live.has(fk.refTable) ? s.target : s.staging })),
    );
    const loaded = new Map<string, number>();
    let total = 0;
    await loadTables({
      sessions,
      dir,
      tables: plan.tables,
      ...(o.key ? { key: o.key.key } : {}),
      throwIfAborted,
      onRows: (table, rows) => {
        const t = plan.tables.find((p) => p.name === table)!;
        loaded.set(table, (loaded.get(table) ?? 0) + rows);
        total += rows;
        o.onProgress?.({ item: table, done: loaded.get(table)!, total: t.rows, unit: 'rows' });
        o.onProgress?.({ item: 'restore', done: total, total: plan.totals.rows, unit: 'rows' });
      },
      finishTable: async (conn, t, loadedAfterSeconds) => {
        log.info({ table: t.name, rows: t.rows }, `restore: table ${t.name} loaded`);
        await verifyTableContent(conn, s.staging, t, metas.get(t.name)!);
        const t0 = Date.now();
        if (t.alterSql)
          await conn.execute(t.alterSql).catch((error: unknown) => {
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
    const fk = await orphans.finish(sessions, throwIfAborted);
    log.info({ foreignKeys: fk.foreignKeys }, 'restore: verified');
    throwIfAborted();

    // A later restore replaces the earlier rollback window; this one is only dropped once the
    // new data is fully loaded and verified.
    await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.previous)}`);
    await admin.execute(`CREATE DATABASE ${quoteId(s.previous)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.execute(`CREATE DATABASE IF NOT EXISTS ${quoteId(s.target)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    throwIfAborted();
    // One RENAME TABLE is atomic (MySQL 8 atomic DDL, MariaDB's DDL log): every live table is the
    // old one or every one is restored. Foreign keys move along and point within their schema.
    await withCaptureOff(
      o.connector,
      admin,
      s.target,
      async () => {
        await publishTables(admin, [plan.renameSql], { flavor: (await readServerInfo(admin)).flavor, politeMs: o.swapWaitMs ?? 10_000, logger: log });
        swapped = true;
      },
      log,
    );
    log.info({ target: s.target, previous: s.previous }, 'restore: swapped in');
    await checkForeignKeysStayed(admin, plan.schemas.target, plan.tables.map((t) => t.name));
    await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.staging)}`).catch((error: unknown) => {
      log.warn({ schema: s.staging, error: String(error) }, 'could not drop the empty staging schema: the next restore drops it');
    });
    results.sort((a, b) => a.table.localeCompare(b.table));
    return { tables: results, cleanedUp, foreignKeysChecked: fk.foreignKeys };
  } catch (error) {
    if (!swapped) {
      abort();
      await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s.staging)}`).catch(() => {});
    }
    throw o.signal?.aborted && !swapped ? new AbortedError('restore interrupted: the live tables were not changed', { cause: error }) : error;
  } finally {
    o.signal?.removeEventListener('abort', abort);
    await Promise.all(sessions.map((c) => c.close()));
  }
}

export { inspectTarget };
