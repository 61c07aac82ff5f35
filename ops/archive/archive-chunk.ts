/**
 * One chunk of a real archive run, in one InnoDB transaction: lock the chunk's roots (the filter
 * checked again under the lock) and their subjects, REPLACE the subjects not kept into the
 * archive tables, check every table's copy against the locked source rows (count and the sum of
 * row digests, computed by SQL on both sides), delete children before parents, commit.
 *
 * MyISAM facts that bite: the archive writes are not undone by a ROLLBACK, so before the first of
 * them the chunk's keys are written to the journal (also MyISAM, so written at once), and a run
 * killed before COMMIT leaves copies the next run can find and remove (reconcile.ts). MySQL with
 * enforce_gtid_consistency refuses a statement that writes MyISAM inside a transaction that has
 * already written InnoDB (ER_GTID_UNSAFE_NON_TRANSACTIONAL_TABLE): every MyISAM write of the chunk
 * comes before its first InnoDB write (the deletes), and reads of InnoDB do not count.
 */
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { copiedSelectList } from '../../src/rows/server-copy-sql.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { ARCHIVE_JOURNAL, archivedColumns } from './archive-tables.js';
import { checkCopy } from './copy-check.js';
import { BY_PRIMARY, deleteByKeysSql, keyLists } from './key-sql.js';
import type { ArchivePlan } from './plan-archive.js';
import type { Subjects } from './walk-subjects.js';

/** What a chunk needs besides its rows. */
export interface ChunkContext {
  conn: SqlConnection;
  plan: ArchivePlan;
  metas: ReadonlyMap<string, TableMeta>;
  source: string;
  archive: string;
  runId: string;
  /** Test hook: runs after the copy is checked and before the deletes (a kill test throws here). */
  afterCopy?: (chunkNo: number) => Promise<void> | void;
}

/** The rows of `subjects` that go (their roots are not kept), per table in the plan's order. */
export function leavingRows(plan: ArchivePlan, subjects: Subjects): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const t of plan.tables) out.set(t, [...subjects.rows.get(t)!.values()].filter((s) => ![...s.roots].some((r) => subjects.kept.has(r))).map((s) => s.row));
  return out;
}

/** Copies, checks and deletes the rows of one chunk inside the caller's open transaction; commits nothing. */
export async function moveChunk(ctx: ChunkContext, chunkNo: number, leaving: ReadonlyMap<string, Row[]>): Promise<void> {
  const { conn, plan, metas, source, archive } = ctx;
  const pkOf = (t: string) => metas.get(t)!.primaryKey;
  const keys = Object.fromEntries([...leaving].map(([t, rows]) => [t, rows.map((r) => pkOf(t).map((c) => r[c]))]));
  await conn.execute(`UPDATE ${qualify(archive, ARCHIVE_JOURNAL)} SET chunk_keys = ? WHERE run_id = ? AND chunk_no = ?`, [JSON.stringify(keys), ctx.runId, chunkNo]);
  for (const t of plan.tables) {
    const cols = archivedColumns(metas.get(t)!).map(quoteId).join(', ');
    const values = copiedSelectList(writableColumns(metas.get(t)!), 's');
    for (const w of keyLists('s', pkOf(t), leaving.get(t)!)) {
      await conn.execute(`REPLACE INTO ${qualify(archive, t)} (${cols}) SELECT ${values} FROM ${qualify(source, t)} AS s ${BY_PRIMARY} WHERE ${w.sql}`, w.params);
    }
  }
  await checkCopy(conn, { verb: `archive of ${source}`, from: source, to: archive, chunkNo }, metas, leaving);
  await ctx.afterCopy?.(chunkNo);
  for (const t of plan.deleteOrder)
    // One table per DELETE, children first: one over several InnoDB tables may visit them out of foreign-key order and fail.
    for (const w of keyLists('', pkOf(t), leaving.get(t)!)) {
      await conn.execute(deleteByKeysSql(qualify(source, t), w), w.params);
    }
}
