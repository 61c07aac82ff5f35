/**
 * `dualpipe status`: how fresh every report table is, and what the last runs did, from the run
 * history. Decides staleness from plain values (`now` is passed in), so it tests without a clock.
 */
import type { LockHolder } from '../src/history/lock-holder.js';
import { parseHolder } from '../src/history/lock-holder.js';
import type { ArchiveStatus } from './archive/archive-status.js';

/** When one report-side table was last refreshed. */
export interface TableFreshness {
  table: string;
  kind: 'mirror' | 'report';
  refreshedAt: string | null;
  ageSeconds: number | null;
}

/** One run of the history, as `status` shows it. */
export interface RunSummary {
  id: number;
  kind: string;
  status: string;
  /** A sync's strategy (`swap`, `lock`, `incremental`); null for other runs. */
  strategy: string | null;
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
  error: string | null;
}

/** What `status` shows: freshness, recent syncs, last backup and verify. */
export interface PipelineStatus {
  reportSchema: string;
  now: string;
  tables: TableFreshness[];
  recentSyncs: RunSummary[];
  /**
   * The newest successful backup. `verified` is the outcome of the newest `backup verify` of its
   * folder (null: never verified); `verifiedAt` when that was.
   */
  lastBackup: (RunSummary & { dir?: string; verified: boolean | null; verifiedAt: string | null }) | null;
  /** The newest finished `verify` of the mirrors; `drift` names the tables that differed. */
  lastVerify: (RunSummary & { ok: boolean; drift: string[] }) | null;
  /** Tables older than `maxAgeSeconds` (empty without a limit). */
  stale: string[];
  /** When the newest successful sync (full or incremental) finished: the age of the data. Null: never. */
  lastSyncAt: string | null;
  /** The newest finished run of each kind (sync, verify, backup, copy, prune, restore, check, …), failures included; newest first. */
  lastRuns: RunSummary[];
  /** Runs in progress (or left `running` by a process that died), with the host and process running them. */
  running: (RunSummary & { host?: string; pid?: number })[];
  /** Who holds the sync lock now; null when it is free (or when it could not be read). */
  lockHolder: LockHolder | null;
  /** The newest successful `backup verify --restore-test`; null when none. */
  lastRestoreTest: RunSummary | null;
  /**
   * The archive on the source server (archive-status.ts): null when there is none; absent when
   * the status was read without the source (the report side's history only).
   */
  archive?: ArchiveStatus | null;
}

/** A run history row as `status` reads it: the table's column names, `details` still JSON text. */
export type HistoryRow = {
  id: number;
  kind: string;
  status: string;
  strategy?: string | null;
  started_at: string;
  finished_at: string | null;
  details: string | null;
  error: string | null;
  /** Who runs it (JSON, run-history.ts `RunHolder`); absent in rows of an older dualpipe. */
  holder?: string | null;
};

/** Parses `90s`, `30m`, `2h`, `1d` (or plain seconds) into seconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2]!.toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** Dates from the history are UTC wall-clock text (the sessions run in +00:00). */
function toDate(text: string): Date {
  return new Date(`${text.replace(' ', 'T')}Z`);
}

/** A run's details; a row written by another version, or damaged, reads as none rather than failing the status. */
function details<T extends object>(r: HistoryRow): Partial<T> {
  if (!r.details) return {};
  try {
    const v = JSON.parse(r.details) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
  } catch {
    return {};
  }
}

const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);

function summary(r: HistoryRow): RunSummary {
  return {
    id: Number(r.id),
    kind: r.kind,
    status: r.status,
    strategy: r.strategy ?? null,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    seconds: r.finished_at ? (toDate(r.finished_at).getTime() - toDate(r.started_at).getTime()) / 1000 : null,
    error: r.error,
  };
}

/** Computes the status from history rows, newest first. Pure. */
export function computeStatus(
  reportSchema: string,
  rows: readonly HistoryRow[],
  now: Date,
  maxAgeSeconds?: number,
  lockHolder: LockHolder | null = null,
): PipelineStatus {
  const syncs = rows.filter((r) => r.kind === 'sync');
  const tables = new Map<string, TableFreshness>();
  // The newest successful sync that built a table is when that table was last refreshed.
  for (const r of syncs) {
    if (r.status !== 'succeeded' || !r.finished_at) continue;
    const d = details<{ tables: unknown; reports: unknown }>(r);
    const at = r.finished_at;
    const age = Math.max(0, (now.getTime() - toDate(at).getTime()) / 1000);
    const add = (name: unknown, kind: TableFreshness['kind']) => {
      if (typeof name === 'string' && !tables.has(name)) tables.set(name, { table: name, kind, refreshedAt: at, ageSeconds: age });
    };
    for (const t of list<{ table?: unknown }>(d.tables)) add(t?.table, 'mirror');
    for (const t of list<{ name?: unknown }>(d.reports)) add(t?.name, 'report');
  }
  const backup = rows.find((r) => r.kind === 'backup' && r.status === 'succeeded');
  const dir = backup ? details<{ dir: unknown }>(backup).dir : undefined;
  const backupDir = typeof dir === 'string' ? dir : undefined;
  // The newest verification of that folder decides: a later failed verify undoes an earlier pass.
  const check = backupDir
    ? rows.find((r) => r.kind === 'backup-verify' && r.finished_at && details<{ dir: unknown }>(r).dir === backupDir && r.id > backup!.id)
    : undefined;
  const verify = rows.find((r) => r.kind === 'verify' && r.finished_at);
  const drift = verify
    ? list<{ table?: unknown; chunksDiffering?: unknown; driftKeys?: unknown; missingMirror?: unknown; problem?: unknown }>(details<{ tables: unknown }>(verify).tables)
        // A table whose differing keys are all pending (driftKeys 0, a verify with capture) has no drift.
        .filter((t) => (Number(t?.chunksDiffering) > 0 && t?.driftKeys !== 0) || t?.missingMirror === true || typeof t?.problem === 'string')
        .map((t) => String(t.table))
    : [];
  const sorted = [...tables.values()].sort((a, b) => a.table.localeCompare(b.table));
  const lastRuns = new Map<string, HistoryRow>();
  for (const r of rows) if (r.status !== 'running' && !lastRuns.has(r.kind)) lastRuns.set(r.kind, r);
  const restoreTest = rows.find((r) => r.kind === 'backup-verify' && r.status === 'succeeded' && details<{ restoreTest: unknown }>(r).restoreTest === true);
  const lastSync = syncs.find((r) => r.status === 'succeeded' && r.finished_at);
  return {
    reportSchema,
    now: now.toISOString(),
    tables: sorted,
    recentSyncs: syncs.slice(0, RECENT_SYNCS).map(summary),
    lastBackup: backup
      ? {
          ...summary(backup),
          ...(backupDir ? { dir: backupDir } : {}),
          verified: check ? check.status === 'succeeded' : null,
          verifiedAt: check?.finished_at ?? null,
        }
      : null,
    lastVerify: verify ? { ...summary(verify), ok: verify.status === 'succeeded', drift } : null,
    lastSyncAt: lastSync?.finished_at ?? null,
    lastRuns: [...lastRuns.values()].map(summary),
    running: rows
      .filter((r) => r.status === 'running')
      .map((r) => {
        const h = parseHolder(r.holder ?? null);
        return { ...summary(r), ...(h ? { host: h.host, pid: h.pid } : {}) };
      }),
    lockHolder,
    lastRestoreTest: restoreTest ? summary(restoreTest) : null,
    stale:
      maxAgeSeconds === undefined
        ? []
        : sorted.filter((t) => t.kind === 'report' && (t.ageSeconds ?? Infinity) > maxAgeSeconds).map((t) => t.table),
  };
}

/** How many syncs `status` lists. */
export const RECENT_SYNCS = 5;
