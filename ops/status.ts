/**
 * `dualpipe status`: how fresh every report table is, and what the last runs did, from the run
 * history. Decides staleness from plain values (`now` is passed in), so it tests without a clock.
 */
import type { SqlConnection } from '../src/db/connection.js';
import { qualify } from '../src/db/quote.js';
import { HISTORY_TABLE } from '../src/history/run-history.js';
import type { Pipeline } from '../src/pipeline.js';

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
    ? list<{ table?: unknown; chunksDiffering?: unknown; missingMirror?: unknown; problem?: unknown }>(details<{ tables: unknown }>(verify).tables)
        .filter((t) => Number(t?.chunksDiffering) > 0 || t?.missingMirror === true || typeof t?.problem === 'string')
        .map((t) => String(t.table))
    : [];
  const sorted = [...tables.values()].sort((a, b) => a.table.localeCompare(b.table));
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
    stale:
      maxAgeSeconds === undefined
        ? []
        : sorted.filter((t) => t.kind === 'report' && (t.ageSeconds ?? Infinity) > maxAgeSeconds).map((t) => t.table),
  };
}

/** How many syncs `status` lists. */
export const RECENT_SYNCS = 5;

/**
 * Reads the rows `computeStatus` needs, kind by kind (on the (kind, started_at) index), so that a
 * daily backup is not pushed out of view by hundreds of incremental syncs since.
 */
export async function readStatus(
  conn: SqlConnection,
  reportSchema: string,
  now: Date,
  maxAgeSeconds?: number,
): Promise<PipelineStatus> {
  const exists = await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [
    reportSchema,
    HISTORY_TABLE,
  ]);
  if (exists.length === 0) return computeStatus(reportSchema, [], now, maxAgeSeconds);
  const table = qualify(reportSchema, HISTORY_TABLE);
  // ORDER BY started_at walks the (kind, started_at) index backwards; id breaks ties.
  const pick = (where: string, limit: number) =>
    conn.query<HistoryRow>(
      `SELECT id, kind, status, strategy, started_at, finished_at, details, error FROM ${table}
        WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT ${limit}`,
    );
  const parts: HistoryRow[][] = [];
  for (const [where, limit] of [
    ["kind = 'sync'", RECENT_SYNCS],
    // Enough successful syncs to find every table, including those only a `sync --tables` run rebuilt lately.
    ["kind = 'sync' AND status = 'succeeded'", 50],
    ["kind = 'backup' AND status = 'succeeded'", 1],
    ["kind = 'backup-verify' AND finished_at IS NOT NULL", 50],
    ["kind = 'verify' AND finished_at IS NOT NULL", 1],
  ] as const)
    parts.push(await pick(where, limit));
  const byId = new Map<number, HistoryRow>();
  for (const r of parts.flat()) byId.set(Number(r.id), { ...r, id: Number(r.id) });
  const rows = [...byId.values()].sort((a, b) => b.id - a.id);
  return computeStatus(reportSchema, rows, now, maxAgeSeconds);
}

/** Options of `pipelineStatus`. */
export interface StatusOptions {
  /** The time ages are measured against (default: now). */
  now?: Date;
  /** Tables older than this many seconds are listed as stale. */
  maxAgeSeconds?: number;
}

/** `dualpipe status` as one call: reads the run history in the pipeline's report schema. */
export async function pipelineStatus(pipeline: Pick<Pipeline, 'report' | 'reportSchema'>, options: StatusOptions = {}): Promise<PipelineStatus> {
  const conn = await pipeline.report.connect({ database: null });
  try {
    return await readStatus(conn, pipeline.reportSchema, options.now ?? new Date(), options.maxAgeSeconds);
  } finally {
    await conn.close();
  }
}
