/**
 * `dualpipe status`: how fresh every report table is, and what the last runs did, from the run
 * history. Decides staleness from plain values (`now` is passed in), so it tests without a clock.
 */
import type { SqlConnection } from '../src/db/connection.js';
import { qualify } from '../src/db/quote.js';
import { HISTORY_TABLE } from './run-history.js';

export interface TableFreshness {
  table: string;
  kind: 'mirror' | 'report';
  refreshedAt: string | null;
  ageSeconds: number | null;
}

export interface RunSummary {
  id: number;
  kind: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
  error: string | null;
}

export interface PipelineStatus {
  reportSchema: string;
  now: string;
  tables: TableFreshness[];
  recentSyncs: RunSummary[];
  lastBackup: (RunSummary & { dir?: string; verified: boolean | null }) | null;
  lastVerify: (RunSummary & { ok: boolean }) | null;
  /** Tables older than `maxAgeSeconds` (empty without a limit). */
  stale: string[];
}

type HistoryRow = {
  id: number;
  kind: string;
  status: string;
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

function summary(r: HistoryRow): RunSummary {
  return {
    id: Number(r.id),
    kind: r.kind,
    status: r.status,
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
    if (r.status !== 'succeeded' || !r.details || !r.finished_at) continue;
    const d = JSON.parse(r.details) as { tables?: { table: string }[]; reports?: { name: string }[] };
    const at = r.finished_at;
    const age = Math.max(0, (now.getTime() - toDate(at).getTime()) / 1000);
    for (const t of d.tables ?? []) if (!tables.has(t.table)) tables.set(t.table, { table: t.table, kind: 'mirror', refreshedAt: at, ageSeconds: age });
    for (const t of d.reports ?? []) if (!tables.has(t.name)) tables.set(t.name, { table: t.name, kind: 'report', refreshedAt: at, ageSeconds: age });
  }
  const backup = rows.find((r) => r.kind === 'backup' && r.status === 'succeeded');
  const backupDir = backup?.details ? (JSON.parse(backup.details) as { dir?: string }).dir : undefined;
  const verifiedBackup = backupDir
    ? rows.some((r) => r.kind === 'backup-verify' && r.status === 'succeeded' && r.details?.includes(JSON.stringify(backupDir)))
    : false;
  const verify = rows.find((r) => r.kind === 'verify' && r.finished_at);
  const list = [...tables.values()].sort((a, b) => a.table.localeCompare(b.table));
  return {
    reportSchema,
    now: now.toISOString(),
    tables: list,
    recentSyncs: syncs.slice(0, 5).map(summary),
    lastBackup: backup ? { ...summary(backup), ...(backupDir ? { dir: backupDir } : {}), verified: verifiedBackup } : null,
    lastVerify: verify ? { ...summary(verify), ok: verify.status === 'succeeded' } : null,
    stale:
      maxAgeSeconds === undefined
        ? []
        : list.filter((t) => t.kind === 'report' && (t.ageSeconds ?? Infinity) > maxAgeSeconds).map((t) => t.table),
  };
}

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
  const rows = exists.length
    ? await conn.query<HistoryRow>(
        `SELECT id, kind, status, started_at, finished_at, details, error FROM ${qualify(reportSchema, HISTORY_TABLE)} ORDER BY id DESC LIMIT 500`,
      )
    : [];
  return computeStatus(reportSchema, rows, now, maxAgeSeconds);
}
