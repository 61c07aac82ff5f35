/**
 * Migration of the old layout: dualpipe before the internal schema kept its bookkeeping (run
 * history, key journal, generation markers, shadow set) in the report schema itself. The next
 * sync, under the run lock, moves those tables into the internal schema with ONE RENAME (it works
 * across schemas of one server, MyISAM and InnoDB alike), so the shadow set, its markers and the
 * journal move together and still agree; history rows keep their ids (the markers name run ids).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { ensureInternalSchema } from '../../src/catalog/internal-schema.js';
import { tempName } from '../../src/catalog/temp-names.js';
import { ensureHistoryTable, HISTORY_TABLE } from '../../src/history/run-history.js';
import { JOURNAL_TABLE } from './journal.js';
import { GENERATION_TABLE, shadowName } from './shadow-set.js';

const HISTORY_COLUMNS = 'kind, status, strategy, started_at, finished_at, details, source_state, error, holder';

/** Whether a table of the report schema is dualpipe bookkeeping of the old layout. Pure. */
export function isOldLayoutTable(name: string): boolean {
  return name === HISTORY_TABLE || name === JOURNAL_TABLE || name === GENERATION_TABLE || name.startsWith(shadowName(''));
}

/**
 * Moves the old layout's tables from `reportSchema` into its internal schema (created when
 * missing) and returns their names; none when there is nothing to move. Tables of the same name
 * already in the internal schema are replaced, except the run history: a history the new layout
 * started meanwhile (a backup recorded before the first sync) is set aside and its rows appended to
 * the moved one.
 */
export async function moveToInternalSchema(conn: SqlConnection, reportSchema: string): Promise<string[]> {
  const rows = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'",
    [reportSchema],
  );
  const moving = rows.map((r) => r.t).filter(isOldLayoutTable);
  if (!moving.length) return [];
  const internal = await ensureInternalSchema(conn, reportSchema);
  const there = new Set(
    (await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [internal])).map((r) => r.t),
  );
  const aside = qualify(internal, tempName('old', HISTORY_TABLE));
  const mergeHistory = moving.includes(HISTORY_TABLE) && there.has(HISTORY_TABLE);
  for (const t of moving) if (there.has(t) && t !== HISTORY_TABLE) await conn.execute(`DROP TABLE IF EXISTS ${qualify(internal, t)}`);
  const pairs = moving.map((t) => `${qualify(reportSchema, t)} TO ${qualify(internal, t)}`);
  if (mergeHistory) {
    await conn.execute(`DROP TABLE IF EXISTS ${aside}`);
    pairs.unshift(`${qualify(internal, HISTORY_TABLE)} TO ${aside}`);
  }
  await conn.execute(`RENAME TABLE ${pairs.join(', ')}`);
  if (mergeHistory) {
    await ensureHistoryTable(conn, reportSchema);
    await conn.execute(`INSERT INTO ${qualify(internal, HISTORY_TABLE)} (${HISTORY_COLUMNS}) SELECT ${HISTORY_COLUMNS} FROM ${aside} ORDER BY id`);
    await conn.execute(`DROP TABLE ${aside}`);
  }
  return moving;
}
