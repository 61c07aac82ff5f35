/**
 * What `status` shows of the archive (`<source>_archive` on the source server): rows and size per
 * archive table, the last archive and unarchive runs (from the archive's journal and the
 * unarchive markers: when, chunks, rows), and the chunks a killed run left open, which the next
 * run of the same command finishes (archive: reconcile.ts; unarchive: unarchive-chunks.ts).
 */
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { archiveSchemaOf } from '../../src/lock/archive-lock.js';
import { ARCHIVE_JOURNAL } from './archive-tables.js';
import { UNARCHIVE_CHUNKS } from './unarchive-chunks.js';

/** One run of archive or unarchive, from its chunks. */
export interface ArchiveRunSummary {
  kind: 'archive' | 'unarchive';
  runId: string;
  startedAt: string;
  /** When its last finished chunk finished; null when none did. */
  finishedAt: string | null;
  chunks: number;
  /** Rows moved by its finished chunks (every table). */
  rows: number;
  /** Chunks a kill left open: the next run of the same command finishes them. */
  openChunks: number;
}

/** A chunk left open by a killed run. */
export interface OpenArchiveChunk {
  kind: 'archive' | 'unarchive';
  runId: string;
  chunkNo: number;
  since: string;
}

/** The archive as `status` shows it. */
export interface ArchiveStatus {
  schema: string;
  /** Per archive table (the journal left out): rows (exact: MyISAM) and bytes of data and indexes. */
  tables: { table: string; rows: number; bytes: number }[];
  /** The newest runs first (up to `RECENT_ARCHIVE_RUNS` of each command). */
  runs: ArchiveRunSummary[];
  openChunks: OpenArchiveChunk[];
}

/** How many runs of archive and of unarchive `status` lists. */
export const RECENT_ARCHIVE_RUNS = 5;

const text = (v: unknown): string => (v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : String(v));

async function tableExists(conn: SqlConnection, schema: string, table: string): Promise<boolean> {
  return (await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [schema, table])).length > 0;
}

/** Sums the `{table: count}` JSON of finished archive chunks. */
function sumCounts(json: string | null): number {
  if (!json) return 0;
  try {
    return Object.values(JSON.parse(json) as Record<string, number>).reduce((a, n) => a + Number(n), 0);
  } catch {
    return 0;
  }
}

/** Sums the `{table: [[key…], …]}` JSON of unarchive chunk markers. */
function sumKeys(json: string | null): number {
  if (!json) return 0;
  try {
    return Object.values(JSON.parse(json) as Record<string, unknown[]>).reduce((a, k) => a + (Array.isArray(k) ? k.length : 0), 0);
  } catch {
    return 0;
  }
}

type RunRow = { run_id: string; s: unknown; f: unknown; chunks: number | string; open: number | string | null };

/** Reads the archive of `source` on `conn` (the source server); null when it has no archive schema. */
export async function readArchiveStatus(conn: SqlConnection, source: string): Promise<ArchiveStatus | null> {
  const schema = archiveSchemaOf(source);
  if ((await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [schema])).length === 0) return null;
  const tables = (
    await conn.query<{ t: string; n: number | string | null; b: number | string | null }>(
      "SELECT TABLE_NAME AS t, TABLE_ROWS AS n, DATA_LENGTH + INDEX_LENGTH AS b FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> ? ORDER BY TABLE_NAME",
      [schema, ARCHIVE_JOURNAL],
    )
  ).map((r) => ({ table: r.t, rows: Number(r.n ?? 0), bytes: Number(r.b ?? 0) }));
  const runs: ArchiveRunSummary[] = [];
  const openChunks: OpenArchiveChunk[] = [];
  if (await tableExists(conn, schema, ARCHIVE_JOURNAL)) {
    const j = qualify(schema, ARCHIVE_JOURNAL);
    const recent = await conn.query<RunRow>(
      `SELECT run_id, MIN(started_at) AS s, MAX(finished_at) AS f, COUNT(*) AS chunks, SUM(state = 'copying') AS open FROM ${j} GROUP BY run_id ORDER BY s DESC LIMIT ${RECENT_ARCHIVE_RUNS}`,
    );
    for (const r of recent) {
      const counts = await conn.query<{ c: string | null }>(`SELECT row_counts AS c FROM ${j} WHERE run_id = ? AND state = 'done'`, [r.run_id]);
      runs.push({ kind: 'archive', runId: r.run_id, startedAt: text(r.s), finishedAt: r.f === null ? null : text(r.f), chunks: Number(r.chunks), rows: counts.reduce((a, c) => a + sumCounts(c.c), 0), openChunks: Number(r.open ?? 0) });
    }
    for (const c of await conn.query<{ run_id: string; chunk_no: number; s: unknown }>(`SELECT run_id, chunk_no, started_at AS s FROM ${j} WHERE state = 'copying' ORDER BY started_at, chunk_no`))
      openChunks.push({ kind: 'archive', runId: c.run_id, chunkNo: Number(c.chunk_no), since: text(c.s) });
  }
  const internal = internalSchemaOf(source);
  if (await tableExists(conn, internal, UNARCHIVE_CHUNKS)) {
    const m = qualify(internal, UNARCHIVE_CHUNKS);
    const recent = await conn.query<RunRow>(
      `SELECT run_id, MIN(committed_at) AS s, MAX(CASE WHEN state = 'done' THEN committed_at END) AS f, COUNT(*) AS chunks, SUM(state = 'committed') AS open FROM ${m} WHERE archive_schema = ? GROUP BY run_id ORDER BY s DESC LIMIT ${RECENT_ARCHIVE_RUNS}`,
      [schema],
    );
    for (const r of recent) {
      // The markers keep each chunk's keys per table: a run's rows are their number.
      let rows = 0;
      for await (const k of conn.stream(`SELECT chunk_keys FROM ${m} WHERE run_id = ?`, [r.run_id])) rows += sumKeys(typeof k[0] === "string" ? k[0] : Buffer.isBuffer(k[0]) ? k[0].toString("utf8") : null);
      runs.push({ kind: 'unarchive', runId: r.run_id, startedAt: text(r.s), finishedAt: r.f === null ? null : text(r.f), chunks: Number(r.chunks), rows, openChunks: Number(r.open ?? 0) });
    }
    for (const c of await conn.query<{ run_id: string; chunk_no: number; s: unknown }>(`SELECT run_id, chunk_no, committed_at AS s FROM ${m} WHERE state = 'committed' AND archive_schema = ? ORDER BY committed_at, chunk_no`, [schema]))
      openChunks.push({ kind: 'unarchive', runId: c.run_id, chunkNo: Number(c.chunk_no), since: text(c.s) });
  }
  runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return { schema, tables, runs, openChunks };
}
