/**
 * Reads what `planIncremental` decides from, and nothing else: this file only reads (a dry run
 * calls it too), in the run's snapshot for the source and on the report server for the live
 * set. It reads in stages and stops as soon as the plan is sure to be a full sync: the change
 * log and the cascades are read only when the log is a safe guide.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { UnsupportedTableError } from '../../src/errors.js';
import { selectTables } from '../../src/catalog/discover-tables.js';
import { readForeignKeys } from '../../src/catalog/foreign-keys.js';
import { readSourceState, showCreateTable, type SourceState } from '../../src/catalog/source-state.js';
import { lastSucceededSync } from '../../src/history/run-history.js';
import { captureTriggers, fingerprintOf, readCapture, sourceTables } from '../capture/capture.js';
import { type ChangeBatch, countChanges, type KeySet, readChanges } from '../capture/change-log.js';
import { readCaptureMethod } from '../capture/capture-method.js';
import { type BinlogChanges, readBinlogChanges } from '../capture/binlog/binlog-changes.js';
import { readBinlogPosition } from '../capture/binlog/binlog-position.js';
import { advanceResumePosition, snapshotGtidSet } from '../capture/binlog/capture-snapshot.js';
import { findUnsupportedTables } from '../full/unsupported-tables.js';
import { loadReportSet } from '../reports/report-set.js';
import { readJournal } from '../shadow/journal.js';
import { GENERATION_TABLE, readGeneration, shadowName, shadowSetProblem } from '../shadow/shadow-set.js';
import { deriveCascades } from '../capture/derive-cascades.js';
import { binlogKeyLimit, catchUpFromBinlog } from './catch-up-shadow.js';
import type { IncrementalOptions } from './incremental-types.js';
import { fallbackReason, type IncrementalFacts, type SourceFacts } from './plan-incremental.js';
import { isNoSuchTable } from '../../src/db/no-such-table.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';

/** The facts of a run, and the source state its history row records (with the changes only). */
export interface ReadFacts {
  facts: IncrementalFacts;
  sourceState?: SourceState;
}

/**
 * Reads the facts of an incremental run. `snap` is the run's consistent snapshot of the source;
 * `admin` a session on the report server (no default schema needed); `tableIds` were read just
 * before the snapshot opened (see run-incremental.ts). Throws UnsupportedTableError like a full
 * sync does.
 */
export async function readIncrementalFacts(
  snap: SqlConnection,
  admin: SqlConnection,
  o: IncrementalOptions,
  tableIds: Record<string, string> | null,
): Promise<ReadFacts> {
  const src = o.pipeline.sourceSchema;
  const rep = o.pipeline.reportSchema;
  const base: IncrementalFacts = {
    sourceSchema: src,
    reportSchema: rep,
    options: { include: o.include ?? [], paranoid: o.paranoid === true, maxChangeShare: o.maxChangeShare ?? 0.2 },
  };
  const all = await sourceTables(snap, src);
  if (base.options.include.length) return { facts: base };
  // A steady exclude list (sync.exclude) is honoured: changing it changes the set of mirrored
  // tables, which makes the next run a full one.
  const select = o.exclude?.length ? { exclude: o.exclude } : {};
  const kept = new Set(selectTables(all.map((m) => m.name), select));
  const tables = all.filter((m) => kept.has(m.name));
  const unsupported = await findUnsupportedTables(snap, src, select);
  if (unsupported.length) throw new UnsupportedTableError(unsupported);
  const method = (await readCaptureMethod(admin, rep)).method;
  const capture = method === 'triggers' ? await readCapture(snap, src, tables) : null;
  const ddl: Record<string, string> = {};
  for (const m of tables) ddl[m.name] = await showCreateTable(snap, src, m.name);
  const last = await lastSucceededSync(admin, rep);
  const liveGeneration = await readGeneration(admin, rep, GENERATION_TABLE);
  const pending = capture?.installed ? await countChanges(snap, src) : 0;
  const foreignKeys = await readForeignKeys(snap, src);
  const source: SourceFacts = {
    tables,
    foreignKeys,
    capture: capture
      ? {
          method,
          captureId: capture.captureId,
          fingerprint: { installed: capture.fingerprint, expected: fingerprintOf(captureTriggers(src, all, foreignKeys)) },
          uncaptured: capture.uncaptured,
        }
      : {
          method,
          resume: liveGeneration?.binlog ?? null,
          captureId: null,
          fingerprint: { installed: null, expected: '' },
          uncaptured: tables.filter((m) => m.primaryKey.length === 0).map((m) => ({ table: m.name, why: 'no primary key' })),
        },
    ddl,
    reports: (o.reports ?? loadReportSet(o.reportSet ?? {}, all.map((m) => m.name))).filter((d) => d.dependsOn.every((t) => kept.has(t))),
    last: last
      ? { details: last.details ?? {}, ddl: ((last.sourceState ?? {}) as Partial<SourceState>).ddl ?? {} }
      : undefined,
    liveGeneration,
    shadowGeneration: await readGeneration(admin, rep, shadowName(GENERATION_TABLE)),
    reportTables: (
      await admin.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (?, ?)', [rep, internalSchemaOf(rep)])
    ).map((r) => r.t),
    pending,
    tableIds,
  };
  const facts: IncrementalFacts = { ...base, source };
  if (fallbackReason(facts)) return { facts };

  // --- the point in time of this run, and what changed since the live set ---
  const sourceState = await readSourceState(snap, src, ddl);
  let log: ChangeBatch;
  let whole: { table: string; why: string }[] = [];
  if (method === 'binlog') {
    const read = await readBinlogFacts(snap, o, source);
    if (!read.ok) return { facts: { ...facts, source: { ...source, capture: { ...source.capture, binlogFallback: read.reason } } } };
    ({ log, whole } = read);
  } else log = await readChanges(snap, src);
  const cascades = await deriveCascades(admin, rep, new Map(tables.map((m) => [m.name, m])), foreignKeys, log.keys, { snap, schema: src });
  const live = liveGeneration!;
  const liveTables = [...tables.map((m) => m.name), ...source.reports.map((d) => d.name)];
  const shadow = source.shadowGeneration;
  // The set a full sync replaced, kept as the shadow set: caught up from the binlog, or copied afresh.
  if (shadow?.behindFull && shadow.binlog && method === 'binlog' && shadowSetProblem({ ...shadow, behindFull: false }, live, liveTables, new Set(source.reportTables)) === null) {
    const catchUp = await catchUpFromBinlog(snap, admin, o, source, shadow.binlog);
    if (catchUp) {
      const caughtUp = { ...source, shadowGeneration: { ...shadow, behindFull: false } };
      return { facts: { ...facts, source: caughtUp, changes: { log, cascades, journal: catchUp, whole } }, sourceState };
    }
  }
  // A shadow set copied afresh equals the live set: no journal to catch up with.
  const usable = shadowSetProblem(shadow, live, liveTables, new Set(source.reportTables)) === null;
  const journal = usable ? await readJournalIfAny(admin, rep, shadow!.runId, live.runId) : new Map<string, KeySet>();
  return { facts: { ...facts, changes: { log, cascades, journal, whole } }, sourceState };
}

/**
 * Binlog capture: the keys changed from the live set's resume position up to a position read now,
 * after the snapshot opened (so every change the snapshot holds lies before it); too many of them
 * make the run a full sync, as a long trigger log does.
 */
async function readBinlogFacts(snap: SqlConnection, o: IncrementalOptions, source: SourceFacts): Promise<BinlogChanges> {
  const to = await readBinlogPosition(snap);
  if (!to) return { ok: false, reason: 'binlog capture: the source server has no binary log (log_bin=OFF)' };
  const maxKeys = binlogKeyLimit(source, o);
  const read = await readBinlogChanges({
    connector: o.pipeline.source,
    schema: o.pipeline.sourceSchema,
    tables: source.tables,
    foreignKeys: source.foreignKeys,
    resume: source.capture.resume!,
    to,
    ...(snapshotGtidSet(snap) ? { heldBy: snapshotGtidSet(snap)! } : {}),
    maxKeys,
  });
  if (!read.ok) return read;
  // MySQL: the set this run publishes resumes where the read says, not at its binlog file's start.
  if (read.resume) advanceResumePosition(snap, read.resume);
  if (read.log.rows > maxKeys) return { ok: false, reason: `${read.log.rows} keys changed in the binlog: a full sync is cheaper` };
  return read;
}

/** The journal's keys after `after` up to `upTo`; none when the journal table does not exist yet. */
async function readJournalIfAny(admin: SqlConnection, schema: string, after: number, upTo: number): Promise<Map<string, KeySet>> {
  try {
    return await readJournal(admin, schema, after, upTo);
  } catch (error) {
    if (isNoSuchTable(error)) return new Map();
    throw error;
  }
}
