/**
 * `dualpipe restore --mode merge --where …`: brings back chosen rows of a backup and every row
 * that depends on them, into the live schema, without touching a row that exists now. The filter
 * and the plan are checked before anything is written; the rows are loaded into a scratch schema:
 * with a backup that records its chunks' key ranges, only the chunks that can hold them
 * (load-merge-scratch.ts), otherwise the whole backup (restored with all its checks); the missing
 * rows go in with one transaction, foreign keys
 * checked, so a merge is all or nothing. The scratch schema is dropped afterwards, and a leftover
 * of a killed merge is dropped by the next one.
 */
import { allowUncheckedRows } from '../../src/db/check-constraints.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { DualpipeError, UsageError } from '../../src/errors.js';
import { acquireRunLock, lockName } from '../../src/lock/run-lock.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { schemaExists } from './inspect-target.js';
import { type MergePlan, planMerge } from './plan-merge.js';
import { derivedSchemaName } from './plan-restore.js';
import { type LocatedBackup, locateBackup } from '../format/read-backup.js';
import { requireCompression } from '../format/chunk-compression.js';
import { executeRestore } from './execute-restore.js';
import { hasKeyIndex, loadMergeScratch } from './load-merge-scratch.js';
import { checkLocalInfile, checkRestoreTarget, prepareRestore } from './prepare-restore.js';
import type { RestoreOptions } from './restore-types.js';
import type { MergeOptions, MergeResult, MergeTableResult } from './merge-types.js';
import { prepareErasures, withholdIn, writeBackLedger } from './erasure-ledger-restore.js';
import { dropScratchRestore } from './run-restore.js';
import { parseWhere } from './where-filter.js';

export type { MergeOptions, MergeResult, MergeTableResult } from './merge-types.js';

async function autoUpdatedColumns(admin: SqlConnection, schema: string): Promise<Map<string, string[]>> {
  const rows = await admin.query<{ t: string; c: string }>(
    "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND LOWER(EXTRA) LIKE '%on update%'",
    [schema],
  );
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.t, [...(out.get(r.t) ?? []), r.c]);
  return out;
}

/** Marks the chosen rows and their dependents in the scratch copy. */
async function markRows(admin: SqlConnection, plan: MergePlan): Promise<void> {
  for (const sql of plan.addMarkSql) await admin.execute(sql);
  const root = await admin.execute(plan.markRoot.sql, plan.markRoot.params);
  if (root.affectedRows === 0)
    throw new UsageError(`no row of ${plan.root} in the backup matches --where`, { hint: 'check the values; nothing was changed' });
  for (let pass = 0; ; pass++) {
    if (pass > 1000) throw new DualpipeError('merge: the dependent rows did not settle after 1000 passes');
    let changed = 0;
    for (const sql of plan.propagateSql) changed += (await admin.execute(sql)).affectedRows;
    if (changed === 0) return;
  }
}

/** Inserts the missing rows in one transaction; counts what exists now. Rolled back on any problem or a dry run. */
async function insertMissing(conn: SqlConnection, plan: MergePlan, dryRun: boolean): Promise<MergeTableResult[]> {
  const results: MergeTableResult[] = [];
  await conn.execute("SET SESSION foreign_key_checks = 1, sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO')");
  await allowUncheckedRows(conn);
  await conn.execute('START TRANSACTION');
  try {
    for (const t of plan.tables) {
      const [c] = await conn.query<{ marked: number | string; present: number | string; different: number | string }>(t.countSql);
      const marked = Number(c?.marked ?? 0);
      const present = Number(c?.present ?? 0);
      const different = Number(c?.different ?? 0);
      for (const check of t.parentChecks) {
        const [m] = await conn.query<{ n: number | string }>(check.sql);
        if (Number(m?.n ?? 0) > 0)
          throw new UsageError(
            `merge: ${m!.n} row(s) of ${t.name} reference ${check.fk.parent} (${check.fk.referenced.join(', ')}) rows that exist neither now nor in what the merge brings back`,
            { hint: `bring those ${check.fk.parent} rows back first (--where on ${check.fk.parent}); nothing was changed` },
          );
      }
      const conflictKeys = different ? (await conn.query<Record<string, unknown>>(t.conflictSql)).map((r) => t.primaryKey.map((k) => r[k])) : [];
      let inserted = 0;
      try {
        // InnoDB checks a key row by row inside one INSERT … SELECT: a row whose parent in the same
        // table comes later would fail. The parent checks above proved every parent will exist.
        if (t.selfReferencing) await conn.execute('SET SESSION foreign_key_checks = 0');
        inserted = (await conn.execute(t.insertSql)).affectedRows;
        if (t.selfReferencing) await conn.execute('SET SESSION foreign_key_checks = 1');
      } catch (error) {
        const e = error as { errno?: number; message?: string };
        if (e.errno === 1062)
          throw new UsageError(`merge: a row of ${t.name} from the backup has the same unique key as another row that exists now (${e.message})`, {
            hint: 'resolve the duplicate in the live table first; nothing was changed',
          });
        throw error;
      }
      results.push({ table: t.name, inBackup: marked, inserted, identical: present - different, conflicts: different, conflictKeys });
    }
    await conn.execute(dryRun ? 'ROLLBACK' : 'COMMIT');
    return results;
  } catch (error) {
    await conn.execute('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * Restores the backup the merge located into its scratch schema, with every check of a restore:
 * planned and verified once, then executed. No restore lock of its own: the merge's lock on its
 * target covers the scratch schema derived from that name, which no user may restore into.
 */
async function restoreScratch(o: MergeOptions, backup: LocatedBackup, scratch: string, log: Logger): Promise<void> {
  const r: RestoreOptions = { connector: o.connector, from: backup.dir, ...(o.key ? { key: o.key } : {}), target: scratch, scratch: true, threads: o.threads ?? 2, logger: log };
  checkRestoreTarget(r);
  // On a session of its own, as every restore runs: the merge's admin session only marks and counts.
  const admin = await o.connector.connect({ database: null });
  try {
    const prepared = await prepareRestore(admin, r, backup);
    await checkLocalInfile(admin);
    const threads = Math.max(1, r.threads ?? 2);
    await executeRestore(r, prepared.plan, { admin, log, threads, throwIfAborted: () => {}, now: () => new Date() });
  } finally {
    await admin.close();
  }
}

/** Merges the rows `o.where` names, and their dependents, from a backup into the live schema. */
export async function runMerge(o: MergeOptions): Promise<MergeResult> {
  const log = o.logger ?? silentLogger;
  const started = Date.now();
  const filter = parseWhere(o.where);
  const scratch = derivedSchemaName(o.target, '__dp_merge');
  const backup = await locateBackup(o.from, o.key);
  requireCompression(backup.manifest.compression, 'read'); // before the server is touched
  log.debug({ seconds: (Date.now() - started) / 1000 }, 'merge: backup located');
  const lock = await acquireRunLock(o.connector, lockName('restore', o.target), { waitSeconds: o.waitForLockSeconds ?? 0 });
  let admin: SqlConnection;
  try {
    admin = await o.connector.connect({ database: null });
  } catch (error) {
    await lock.release().catch(() => {});
    throw error;
  }
  try {
    if (!(await schemaExists(admin, o.target)))
      throw new UsageError(`schema ${o.target} does not exist: a merge adds rows to live tables`, { hint: 'use a full restore (without --mode merge)' });
    // Before anything is loaded: a ledger that is not empty needs its key (exit 2 without it).
    const erasures = await prepareErasures(admin, backup, o.target, o);
    const plan = planMerge({
      filter,
      target: o.target,
      scratch,
      live: await discoverTables(admin, o.target),
      fks: await readForeignKeys(admin, o.target),
      autoUpdated: await autoUpdatedColumns(admin, o.target),
      backup: new Map(backup.manifest.tables.filter((t) => t.kind === 'mirror').map((t) => [t.name, t.columns.map((c) => c.name)])),
    });
    const keyIndex = hasKeyIndex(backup, plan);
    const mirrors = backup.manifest.tables.filter((t) => t.kind === 'mirror');
    const chunksTotal = mirrors.reduce((a, t) => a + t.chunks.length, 0);
    log.info(
      { root: plan.root, tables: plan.tables.map((t) => t.name), keyIndex },
      keyIndex ? 'merge planned; loading the chunks that can hold the rows into a scratch schema' : 'merge planned; restoring the backup into a scratch schema',
    );
    await dropScratchRestore(admin, scratch);
    try {
      let chunksRead = chunksTotal;
      let bytesRead = mirrors.reduce((a, t) => a + t.chunks.reduce((b, c) => b + c.bytes, 0), 0);
      if (keyIndex) ({ chunksRead, bytesRead } = await loadMergeScratch({ connector: o.connector, admin, backup, plan, filter, ...(o.key ? { key: o.key.key } : {}), log }));
      else {
        await restoreScratch(o, backup, scratch, log);
        await markRows(admin, plan);
      }
      log.debug({ seconds: (Date.now() - started) / 1000, chunksRead, bytesRead }, 'merge: scratch loaded and marked');
      // Forgotten rows leave the scratch copy before anything is inserted: the merge cannot bring them back.
      const withheld = await withholdIn(admin, scratch, erasures);
      if (erasures && !o.dryRun) await writeBackLedger(admin, o.target, erasures.ledger);
      const conn = await o.connector.connect({ database: o.target });
      let tables: MergeTableResult[];
      try {
        tables = await insertMissing(conn, plan, o.dryRun === true);
      } finally {
        await conn.close();
      }
      const inserted = tables.reduce((a, t) => a + t.inserted, 0);
      log.info({ inserted, dryRun: o.dryRun === true }, o.dryRun ? 'merge dry run rolled back' : 'merge committed');
      return {
        dryRun: o.dryRun === true,
        backupDir: backup.dir,
        target: o.target,
        root: plan.root,
        tables,
        inserted,
        conflicts: tables.reduce((a, t) => a + t.conflicts, 0),
        chunksRead,
        chunksTotal,
        bytesRead,
        keyIndex,
        seconds: (Date.now() - started) / 1000,
        ...(withheld ? { withheld } : {}),
      };
    } finally {
      await dropScratchRestore(admin, scratch).catch(() => {});
    }
  } finally {
    await admin.close();
    await lock.release().catch(() => {});
  }
}
