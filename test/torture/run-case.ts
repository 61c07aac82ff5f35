/**
 * Runs one generated case against a real server and checks dualpipe's promises after every step,
 * with the oracle (oracle.ts) as the judge:
 * - after the full sync and after each incremental sync, every source table is mirrored exactly,
 *   or the run refused with a UsageError naming a table (UnsupportedTableError) and changed nothing;
 * - `verifyMirrors` is ok exactly when the oracle finds no difference, and a mirror changed behind
 *   dualpipe's back (tampered) makes it not ok;
 * - a backup that reports success restores into a new schema exactly as backed up;
 * - nothing throws an error that is not a DualpipeError.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackup } from '../../backup/dump/run-backup.js';
import { runRestore } from '../../backup/restore/run-restore.js';
import type { ConnectionTarget, SqlConnection } from '../../src/db/connection.js';
import { dropSchema } from './drop-schema.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import { createPipeline } from '../../src/pipeline.js';
import { quoteId } from '../../src/db/quote.js';
import { DualpipeError, UnsupportedTableError, UsageError } from '../../src/errors.js';
import { installCapture } from '../../sync/capture/capture.js';
import { installChangeCapture } from '../../ops/change-capture.js';
import { runIncrementalSync } from '../../sync/incremental/run-incremental.js';
import { runSync, type SyncOptions } from '../../sync/full/run-sync.js';
import { withSession } from '../../src/db/with-session.js';
import { verifyMirrors } from '../../sync/verify/verify.js';
import type { Failure } from './failure.js';
import type { Op, TortureCase } from './model.js';
import { baseTables, compareTable, type Difference, digestTable } from './oracle.js';
import { schemaDdl } from './render-ddl.js';
import { renderOp } from './render-workload.js';
import { tamperSql } from './tamper.js';

export interface RunEnv {
  /** The server, without a schema. */
  server: ConnectionTarget;
  /** Keep the schemas after the run (to look at a failure by hand). */
  keep?: boolean;
  /**
   * Run as if the report schema were on another server (`sameServer: false`: rows are streamed
   * through dualpipe instead of copied by INSERT … SELECT), against the same server.
   */
  crossServer?: boolean;
  /** How incremental syncs learn what changed (default triggers). */
  capture?: 'triggers' | 'binlog';
}

export interface CaseStats {
  tables: number;
  syncs: number;
  statements: number;
  failedStatements: number;
  /** Source rows seen by the oracle, summed over every check. */
  rowsChecked: number;
}

export type CaseOutcome =
  | { status: 'invalid-ddl'; error: string; stats: CaseStats }
  | { status: 'ok' | 'refused'; note?: string; stats: CaseStats }
  | { status: 'failed'; failure: Failure; stats: CaseStats };

class CaseFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.detail);
  }
}
class Refused extends Error {}

const fail = (f: Failure): never => {
  throw new CaseFailed(f);
};

/** A case as SQL: what the regression cases write by hand. */
export interface TortureScript {
  ddl: string[];
  load: string[];
  /** Each step runs on a new session, then an incremental sync. */
  steps: string[][];
  chunkRows: number;
  tamper: number;
  /** Run this script in cross-server mode whatever the environment says. */
  crossServer?: boolean;
}

export function toScript(c: TortureCase): TortureScript {
  const render = (ops: readonly Op[]) => ops.flatMap((op) => renderOp(c.schema, op));
  return { ddl: schemaDdl(c.schema), load: render(c.load), steps: c.steps.map(render), chunkRows: c.chunkRows, tamper: c.tamper };
}

/** Runs workload statements on a fresh session; their errors are part of the workload. */
async function runOps(conn: SqlConnection, statements: readonly string[], stats: CaseStats): Promise<void> {
  for (const sql of statements) {
    stats.statements++;
    try {
      await conn.execute(sql);
    } catch {
      stats.failedStatements++;
    }
  }
  // A transaction left open by a failed statement must not hold locks into the sync.
  await conn.execute('ROLLBACK').catch(() => {});
}

/** `table.constraint` of each foreign key of the schema that some row breaks (independent of dualpipe). */
async function sourceOrphans(conn: SqlConnection, schema: string): Promise<string[]> {
  const cols = await conn.query<{ t: string; c: string; col: string; rt: string; rc: string }>(
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS c, COLUMN_NAME AS col, REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc
       FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    [schema],
  );
  const fks = new Map<string, typeof cols>();
  for (const r of cols) fks.set(`${r.t}.${r.c}`, [...(fks.get(`${r.t}.${r.c}`) ?? []), r]);
  const broken: string[] = [];
  for (const [name, parts] of fks) {
    const on = parts.map((p) => `__c.${quoteId(p.col)} = __p.${quoteId(p.rc)}`).join(' AND ');
    const set = parts.map((p) => `__c.${quoteId(p.col)} IS NOT NULL`).join(' AND ');
    const rows = await conn.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM ${quoteId(schema)}.${quoteId(parts[0]!.t)} AS __c LEFT JOIN ${quoteId(schema)}.${quoteId(parts[0]!.rt)} AS __p ON ${on} WHERE ${set} AND __p.${quoteId(parts[0]!.rc)} IS NULL`,
    );
    if (Number(rows[0]?.n ?? 0) > 0) broken.push(name);
  }
  return broken;
}

/** Runs one generated case (see runScript). */
export function runCase(c: TortureCase, env: RunEnv): Promise<CaseOutcome> {
  return runScript(toScript(c), env);
}

export async function runScript(c: TortureScript, env: RunEnv): Promise<CaseOutcome> {
  const stats: CaseStats = { tables: 0, syncs: 0, statements: 0, failedStatements: 0, rowsChecked: 0 };
  const db = `tt_${randomBytes(4).toString('hex')}`;
  const reportSchema = `${db}_report`;
  const restored = `${db}_r`;
  const admin = await createConnector(env.server).connect({ database: null });
  const pipeline = createPipeline({
    source: { ...env.server, database: db },
    report: { ...env.server, database: reportSchema },
    sameServer: !(env.crossServer || c.crossServer),
  });
  const { source } = pipeline;
  const backupParent = mkdtempSync(join(tmpdir(), 'dualpipe-torture-'));
  const opts: SyncOptions = { pipeline, chunkRows: c.chunkRows, reports: [] };
  let conn: SqlConnection | undefined;
  try {
    await admin.execute(`CREATE DATABASE ${quoteId(db)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    conn = await source.connect();
    for (const sql of c.ddl) {
      try {
        await conn.execute(sql);
      } catch (e) {
        return { status: 'invalid-ddl', error: `${(e as Error).message}\n${sql}`, stats };
      }
    }
    const session = (statements: readonly string[]) => withSession(source, (s) => runOps(s, statements, stats), {});
    const tables = await baseTables(conn, db);
    stats.tables = tables.length;

    /** Runs one dualpipe call; a refusal must name a table and leave the mirrors as they were. */
    const guarded = async <T>(step: string, run: () => Promise<T>, alsoRefusal?: (e: DualpipeError) => boolean): Promise<T> => {
      const before = await Promise.all(tables.map((t) => digestTable(admin, reportSchema, t)));
      try {
        return await run();
      } catch (e) {
        if (!(e instanceof DualpipeError)) fail({ kind: 'crash', step, detail: `${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack ?? ''}`, columns: [] });
        const refusal = e instanceof UnsupportedTableError || (e instanceof UsageError && tables.some((t) => e.message.includes(t))) || alsoRefusal?.(e as DualpipeError) === true;
        if (!refusal) fail({ kind: 'run-error', step, detail: `${(e as Error).name}: ${(e as Error).message}`, columns: [] });
        const after = await Promise.all(tables.map((t) => digestTable(admin, reportSchema, t)));
        if (JSON.stringify(before) !== JSON.stringify(after)) fail({ kind: 'refusal-changed-mirrors', step, detail: (e as Error).message, columns: [] });
        throw new Refused(`${step}: ${(e as Error).message}`);
      }
    };

    /** Mirrors equal the source per the oracle, and verify agrees. */
    const check = async (step: string) => {
      stats.syncs++;
      const diffs: Difference[] = [];
      for (const t of tables) {
        const d = await compareTable(admin, db, reportSchema, t);
        if (d) diffs.push(d);
      }
      for (const t of tables) stats.rowsChecked += (await digestTable(admin, db, t)).rows;
      const v = await guarded(`verify after ${step}`, () => verifyMirrors({ pipeline, chunkRows: c.chunkRows }));
      const first = diffs[0];
      if (first) {
        const seen = v.ok ? 'verify did NOT notice' : 'verify noticed';
        fail({ kind: v.ok ? 'mirror-diverges+verify-blind' : 'mirror-diverges', step, table: first.table, detail: `${first.detail} (${seen}; ${diffs.length} table(s) differ)`, columns: first.columns, what: first.what });
      }
      if (!v.ok) {
        const bad = v.tables.filter((t) => t.chunksDiffering > 0 || t.missingMirror).map((t) => t.table);
        fail({ kind: 'verify-false-alarm', step, table: bad[0], detail: `verify reports drift in ${bad.join(', ')} but the oracle finds the mirrors equal`, columns: [] });
      }
    };

    await session(c.load);
    await guarded('full sync', () => runSync(opts));
    await check('full sync');
    await guarded('capture install', () =>
      env.capture === 'binlog' ? installChangeCapture(pipeline, { method: 'binlog' }) : installCapture(conn!, db),
    );
    for (const [i, ops] of c.steps.entries()) {
      // Binlog capture: a full sync before the last step keeps the set it replaces, which that step's run catches up.
      if (env.capture === 'binlog' && i > 0 && i === c.steps.length - 1) await guarded('full sync between incrementals', () => runSync(opts));
      await session(ops);
      await guarded(`incremental sync ${i + 1}`, () => runIncrementalSync(opts));
      await check(`incremental sync ${i + 1}`);
    }

    const backup = await guarded('backup', () => runBackup({ pipeline, to: backupParent, chunkRows: c.chunkRows }));
    // MySQL (9.7) stores some rows that break their own foreign key (a self-reference to an
    // AUTO_INCREMENT key set to 0, torture seed 4): restore's check rightly refuses such a copy.
    const orphans = await sourceOrphans(admin, db);
    const orphanRefusal = (e: DualpipeError) => orphans.length > 0 && /foreign key orphans/.test(e.message) && orphans.some((fk) => e.message.includes(fk));
    await guarded('restore', () => runRestore({ connector: source, from: backup.dir, target: restored }), orphanRefusal);
    for (const t of tables) {
      const d = await compareTable(admin, reportSchema, restored, t);
      if (d) fail({ kind: 'restore-diverges', step: 'restore', table: d.table, detail: d.detail, columns: d.columns, what: d.what });
    }

    // A mirror changed behind dualpipe's back must make verify fail.
    const tamper = await tamperSql(admin, reportSchema, tables, c.tamper);
    if (tamper) {
      const before = await digestTable(admin, reportSchema, tamper.table);
      for (const sql of tamper.sql) await admin.execute(sql).catch(() => {});
      const after = await digestTable(admin, reportSchema, tamper.table);
      if (before.sha !== after.sha || before.rows !== after.rows) {
        const v = await guarded('verify after tampering', () => verifyMirrors({ pipeline, chunkRows: c.chunkRows }));
        if (v.ok) fail({ kind: 'verify-blind', step: `tamper: ${tamper.sql.join('; ')}`, table: tamper.table, detail: `verify is ok after ${tamper.how} in ${tamper.table}`, columns: [tamper.dataType] });
      }
    }
    return { status: 'ok', stats };
  } catch (e) {
    if (e instanceof CaseFailed) return { status: 'failed', failure: e.failure, stats };
    if (e instanceof Refused) return { status: 'refused', note: e.message, stats };
    return { status: 'failed', failure: { kind: 'harness-error', step: 'harness', detail: (e as Error).stack ?? String(e), columns: [] }, stats };
  } finally {
    await conn?.close();
    if (!env.keep) {
      const rows = await admin.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ? OR SCHEMA_NAME LIKE ?', [db, `${db}\\_%`]);
      for (const r of rows) await dropSchema(admin, r.s);
    }
    await admin.close();
    rmSync(backupParent, { recursive: true, force: true });
  }
}

