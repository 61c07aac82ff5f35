/**
 * Source tables that a sync cannot copy exactly, found before anything is written so that a run
 * refuses them by name instead of skipping them in silence (a skipped table also made `verify`
 * report a match). The copy reads one consistent InnoDB snapshot into MyISAM, so:
 * - a table of another engine (MyISAM, Aria, MEMORY, …) is not in the snapshot: its rows could
 *   be from any moment;
 * - a MariaDB system-versioned table holds history rows that a snapshot read never returns, and
 *   its mirror would lose them (a restore would bring the table back without its history).
 * Keys longer than MyISAM's 1000 bytes are found when the mirror is created (create-mirrors.ts).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import type { UnsupportedTable } from '../../src/errors.js';
import { CAPTURE_TABLE, CHANGE_LOG_TABLE } from '../capture/capture-sql.js';
import { type DiscoverOptions, selectTables } from '../../src/catalog/discover-tables.js';
import { FRESHNESS_VIEW } from '../shadow/freshness.js';

/** A source table as the unsupported-table check reads it from information_schema. */
export interface SourceTableKind {
  name: string;
  engine: string | null;
  /** information_schema TABLE_TYPE: `BASE TABLE`, or `SYSTEM VERSIONED` on MariaDB. */
  type: string;
  /** A column whose name holds a line break, if any. */
  oddColumn?: string | null;
}

/**
 * dualpipe's own tables in the source schema (change capture). Every other name beginning with
 * `__dp_` is refused: in the report schema that prefix marks temporary, shadow and old tables,
 * which runs drop as leftovers, so a mirror of such a table could collide or be dropped.
 */
const DUALPIPE_SOURCE_TABLES = new Set([CHANGE_LOG_TABLE, CAPTURE_TABLE]);

/** `SHOW CREATE TABLE` is read line by line (mirror-ddl.ts): a name holding a line break would split it. */
const LINE_BREAK = /[\r\n]/;

/** Why each table cannot be copied. Pure. Views and sequences are not tables a sync copies. */
export function unsupportedReasons(tables: readonly SourceTableKind[], options: DiscoverOptions = {}): UnsupportedTable[] {
  const chosen = new Set(selectTables(tables.map((t) => t.name), options));
  const out: UnsupportedTable[] = [];
  for (const t of tables) {
    if (!chosen.has(t.name) || DUALPIPE_SOURCE_TABLES.has(t.name)) continue;
    if (t.name.startsWith('__dp_')) {
      out.push({ table: t.name, reason: "names beginning with __dp_ are dualpipe's own (temporary, shadow and log tables): rename it" });
    } else if (t.name.toLowerCase() === FRESHNESS_VIEW) {
      out.push({ table: t.name, reason: `${FRESHNESS_VIEW} is the name of dualpipe's freshness view in the report schema: rename it` });
    } else if (LINE_BREAK.test(t.name) || t.oddColumn) {
      out.push({ table: t.name, reason: `a ${t.oddColumn ? `column name (${JSON.stringify(t.oddColumn)})` : 'table name'} holding a line break: rename it` });
    } else if (t.type.toUpperCase() === 'SYSTEM VERSIONED') {
      out.push({ table: t.name, reason: 'system-versioned: its history rows cannot be mirrored, backed up or restored' });
    } else if ((t.engine ?? '').toLowerCase() !== 'innodb') {
      out.push({
        table: t.name,
        reason: `engine ${t.engine ?? 'unknown'}: only InnoDB tables are read in one consistent snapshot (ALTER TABLE … ENGINE=InnoDB)`,
      });
    }
  }
  return out;
}

/**
 * Reads the source's tables and returns those a sync of `options` would have to refuse. Two plain
 * queries, each filtered on TABLE_SCHEMA: a COLUMNS subquery correlated with TABLES took 0.6-0.7 s
 * on MariaDB 10.11 with a few schemas on the server (it reopened the catalog for every table), a
 * third of a small incremental sync; the two queries together take under 50 ms.
 */
export async function findUnsupportedTables(
  conn: SqlConnection,
  schema: string,
  options: DiscoverOptions = {},
): Promise<UnsupportedTable[]> {
  const tables = await conn.query<{ name: string; engine: string | null; type: string }>(
    `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_TYPE AS type FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME`,
    [schema],
  );
  const odd = await conn.query<{ name: string; oddColumn: string }>(
    `SELECT TABLE_NAME AS name, MIN(COLUMN_NAME) AS oddColumn FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND (LOCATE(CHAR(10), COLUMN_NAME) > 0 OR LOCATE(CHAR(13), COLUMN_NAME) > 0)
      GROUP BY TABLE_NAME`,
    [schema],
  );
  const oddByTable = new Map(odd.map((o) => [o.name, o.oddColumn]));
  return unsupportedReasons(tables.map((t) => ({ ...t, oddColumn: oddByTable.get(t.name) ?? null })), options);
}
