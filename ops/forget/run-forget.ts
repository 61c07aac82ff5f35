/**
 * `dualpipe forget`: erases a subject (the root rows a `--where` selects and their ON DELETE
 * CASCADE closure at any depth) from the source, in one InnoDB transaction per chunk of roots with
 * its ledger entry; from the archive schema; and from the mirrors and reports in one atomic publish
 * (a sync's shadow swap), then copies the ledger to the report side for the backups. Holds the
 * archive's lock, so an archive and a forget never interleave. The --where text and the key values
 * are never logged nor stored: they may name the person (an e-mail address).
 */
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { ensureInternalSchema, internalSchemaOf } from '../../src/catalog/internal-schema.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { assertPlainName, qualify } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import type { ErasureKey } from '../../src/erasure/erasure-key.js';
import { ensureLedgerTables, hasLedgerTables, LEDGER_TABLE } from '../../src/erasure/ledger-tables.js';
import { acquireRunLock, type RunLock } from '../../src/lock/run-lock.js';
import { type Logger, silentLogger } from '../../src/log/logger.js';
import type { Pipeline } from '../../src/pipeline.js';
import { archiveFilter, fixNow } from '../archive/archive-filter.js';
import { nextRootKeys } from '../archive/chunk-journal.js';
import { planArchive } from '../archive/plan-archive.js';
import { archiveLockName } from '../archive/run-archive.js';
import { deleteArchiveRows, readArchiveSubject } from './forget-archive.js';
import { erasureEntry } from './erasure-entry.js';
import { appendErasure } from '../../src/erasure/ledger.js';
import type { ForgetContext } from './forget-context.js';
import type { ForgetResult, NulledReport } from './forget-result.js';
import { forgetSourceChunk, type Rider } from './forget-source-chunk.js';
import { pendingErasures, type PublishSyncOptions, publishErasure } from './publish-erasure.js';
import { openMoveSession } from '../archive/move-session.js';

/** Options of `runForget`. */
export interface ForgetOptions {
  pipeline: Pipeline;
  /** The subject's roots, e.g. `contacts.id IN (17, 42)` (archive-filter.ts's grammar). Never logged. */
  where: string;
  /** Why (recorded in the ledger); required, not empty. */
  reason: string;
  /** The erasure key (erasure-key.ts); a dry run needs none. */
  key?: ErasureKey;
  /** Default `<source>_archive`. */
  archiveSchema?: string;
  /** Root rows per source transaction; default: every root in one transaction. */
  chunkRows?: number;
  /** Count what would be erased; change nothing. */
  dryRun?: boolean;
  /** Options of the publishing sync (the `sync` command's). */
  sync?: PublishSyncOptions;
  logger?: Logger;
  /** Test hook: runs after the source and archive erasures, before the publish (a kill test throws here). */
  beforePublish?: () => Promise<void> | void;
}

/** Runs a forget; see the file comment. */
export async function runForget(o: ForgetOptions): Promise<ForgetResult> {
  const source = o.pipeline.sourceSchema;
  const archive = assertPlainName(o.archiveSchema ?? `${source}_archive`, 'archive schema');
  if (o.reason.trim() === '') throw new UsageError('forget: --reason must say why (it is recorded in the erasure ledger)', { hint: 'e.g. --reason "GDPR request 2026-118"' });
  if (!o.dryRun && !o.key) throw new UsageError('forget: no erasure key', { hint: 'pass --erasure-key-file FILE or set DUALPIPE_ERASURE_KEY_FILE; make one with `dualpipe backup keygen FILE`' });
  const chunkRows = o.chunkRows ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(chunkRows) || chunkRows < 1) throw new UsageError('--chunk-rows must be a whole number of at least 1');
  const lock: RunLock | undefined = o.dryRun ? undefined : await acquireRunLock(o.pipeline.source, archiveLockName(source));
  try {
    const conn = await openMoveSession(o.pipeline.source);
    try {
      return await forgetLocked(o, conn, source, archive, chunkRows);
    } finally {
      await conn.close();
    }
  } finally {
    await lock?.release();
  }
}

async function forgetLocked(o: ForgetOptions, conn: SqlConnection, source: string, archive: string, chunkRows: number): Promise<ForgetResult> {
  const log = o.logger ?? silentLogger;
  const metas = new Map<string, TableMeta>((await discoverTables(conn, source)).map((m) => [m.name, m]));
  const filter = await fixNow(conn, quietFilter(o.where, source, metas));
  const pk = new Map([...metas].map(([t, m]) => [t, m.primaryKey]));
  const plan = planArchive(filter.table, await readForeignKeys(conn, source), pk);
  const ledgerSchema = internalSchemaOf(source);
  if (o.key) await requireOneKey(conn, ledgerSchema, o.key);
  if (!o.dryRun) {
    // DDL commits implicitly: the ledger is made before any chunk's transaction.
    await ensureInternalSchema(conn, source);
    await ensureLedgerTables(conn, ledgerSchema, 'source');
  }
  const ctx: ForgetContext = { conn, plan, metas, pk, filter, source, archive, ledgerSchema, reason: o.reason, dryRun: o.dryRun === true, ...(o.key ? { key: o.key } : {}) };
  const counts = new Map(plan.tables.map((t) => [t, { source: 0, archive: 0 }]));
  const nulled = new Map<string, NulledReport>();
  const entries: string[] = [];
  // The archive's rows are read first: their hashes ride in the first source transaction's entry.
  const arch = await readArchiveSubject(ctx);
  for (const [t, r] of arch.rows) counts.get(t)!.archive += r.length;
  let rider: Rider | undefined = arch.roots > 0 ? { counts: new Map([...arch.rows].map(([t, r]) => [t, r.length])), hashes: arch.hashes } : undefined;
  let subjects = 0;
  let chunks = 0;
  let after: Row | undefined;
  for (;;) {
    // A real run's erased roots leave the table, so it reads from the start each time; a dry run pages on.
    const roots = await nextRootKeys(conn, source, metas.get(plan.root)!, filter, o.dryRun ? after : undefined, chunkRows);
    if (roots.length === 0) break;
    after = roots[roots.length - 1];
    const chunk = await forgetSourceChunk(ctx, roots, rider);
    if (chunk.roots === 0) continue;
    chunks++;
    subjects += chunk.roots;
    for (const [t, n] of chunk.counts) counts.get(t)!.source += n;
    for (const n of chunk.nulled) {
      const have = nulled.get(n.foreignKey) ?? { ...n, rows: 0 };
      have.rows += n.rows;
      nulled.set(n.foreignKey, have);
    }
    if (chunk.entryId) {
      entries.push(chunk.entryId);
      rider = undefined;
      log.info(`forget: erased ${chunk.roots} ${plan.root} row(s) and their dependents from ${source} (ledger entry ${chunk.entryId})`);
    }
    if (o.dryRun && roots.length < chunkRows) break;
  }
  if (!o.dryRun && arch.roots > 0) {
    if (rider) entries.push(await appendArchiveEntry(ctx, rider));
    await deleteArchiveRows(ctx, arch);
    log.info(`forget: erased ${arch.roots} ${plan.root} row(s) and their dependents from ${archive}`);
  }
  const base = {
    dryRun: o.dryRun === true,
    sourceSchema: source,
    archiveSchema: archive,
    archiveChecked: arch.checked,
    root: plan.root,
    subjects,
    archivedSubjects: arch.roots,
    chunks,
    tables: plan.tables.map((table) => ({ table, ...counts.get(table)! })),
    nulled: [...nulled.values()],
    ledgerEntries: entries,
    ...(o.key ? { keyId: o.key.id } : {}),
  };
  if (o.dryRun) return { ...base, nothingToForget: subjects + arch.roots === 0, publish: { sync: 'none', entriesCopied: 0 } };
  await o.beforePublish?.();
  const pending = await pendingErasures(conn, o.pipeline);
  if (pending.length > entries.length) log.info(`forget: publishing ${pending.length - entries.length} erasure(s) an earlier run committed but did not publish`);
  const publish = await publishErasure(conn, o.pipeline, pending, { ...o.sync, logger: o.sync?.logger ?? log });
  return { ...base, nothingToForget: entries.length === 0 && pending.length === 0, publish };
}

/** Refuses (exit 2) a key other than the one the ledger's entries were made with: a restore could not recognise both. */
async function requireOneKey(conn: SqlConnection, ledgerSchema: string, key: ErasureKey): Promise<void> {
  if (!(await hasLedgerTables(conn, ledgerSchema))) return;
  const other = await conn.query<{ k: string }>(`SELECT DISTINCT key_id AS k FROM ${qualify(ledgerSchema, LEDGER_TABLE)} WHERE key_id <> ? LIMIT 3`, [key.id]);
  if (other.length > 0)
    throw new UsageError(`forget: the erasure ledger holds entries made with another erasure key (id ${other.map((r) => r.k).join(', ')}; this key's id is ${key.id})`, {
      hint: 'nothing changed; use the key file the earlier erasures were made with (a restore needs one key to recognise every erased row)',
    });
}

/** The ledger entry of archive rows when no source transaction carried them (the subject lives only in the archive). */
async function appendArchiveEntry(ctx: ForgetContext, rider: Rider): Promise<string> {
  const entry = await erasureEntry(ctx.conn, { reason: ctx.reason, schema: ctx.source, root: ctx.plan.root, key: ctx.key!, counts: rider.counts });
  await ctx.conn.execute('START TRANSACTION');
  try {
    await appendErasure(ctx.conn, ctx.ledgerSchema, entry, rider.hashes);
    await ctx.conn.execute('COMMIT');
  } catch (error) {
    await ctx.conn.execute('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return entry.id;
}

/** archiveFilter, with the quoted piece of --where a parse error shows left out: it may be the person's e-mail address, and errors reach log files. */
function quietFilter(where: string, source: string, metas: ReadonlyMap<string, TableMeta>): ReturnType<typeof archiveFilter> {
  try {
    return archiveFilter(where, source, metas);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError(error.message.replace(/\("[^"]*"\)/g, '(…)'), error.hint ? { hint: error.hint } : {});
  }
}
