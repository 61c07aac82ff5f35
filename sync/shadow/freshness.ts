/**
 * `dualpipe_freshness`: what analysts read to say "data as of …". One row per mirror and report
 * table: the source snapshot time the table reflects (UTC) and the run that produced it. The rows
 * live in a small MyISAM table of the internal schema (`__dp_freshness`) that is written under a
 * temporary name and renamed live IN THE SAME RENAME that publishes the tables (the full sync's
 * publish, the incremental shadow swap), so it can never disagree with them. Analysts read it
 * through a SQL SECURITY DEFINER view in the report schema: they need no grant on the internal
 * schema (the view runs with its definer's, the sync account's, privileges).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';
import { tempName } from '../../src/catalog/temp-names.js';

/** The freshness table's name in the internal schema. */
export const FRESHNESS_TABLE = '__dp_freshness';
/** The analysts' view in the report schema. */
export const FRESHNESS_VIEW = 'dualpipe_freshness';

/** One table a run publishes, and what it is. */
export interface FreshnessEntry {
  table: string;
  kind: 'mirror' | 'report';
}

/** The run and source snapshot time (UTC, `YYYY-MM-DD hh:mm:ss[.ffffff]`) the published tables reflect. */
export interface FreshnessStamp {
  runId: number;
  snapshotAt: string;
}

const ddl = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
    table_name VARCHAR(64) NOT NULL PRIMARY KEY COMMENT 'a mirror or report table of the report schema',
    kind VARCHAR(8) NOT NULL COMMENT 'mirror or report',
    snapshot_at DATETIME(6) NOT NULL COMMENT 'UTC: the source snapshot the table reflects holds every transaction committed before this time',
    run_id BIGINT UNSIGNED NOT NULL COMMENT 'the dualpipe run that produced the table (dualpipe status)'
  ) ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE utf8mb4_bin`;

/**
 * Creates the live freshness table (empty) and the analysts' view when missing; the internal
 * schema must exist. An existing view is left alone: replacing it would wait for (and hold up)
 * analyst queries on it at every run.
 */
export async function ensureFreshnessView(conn: SqlConnection, reportSchema: string): Promise<void> {
  const live = qualify(internalSchemaOf(reportSchema), FRESHNESS_TABLE);
  await conn.execute(ddl(live));
  const view = await conn.query('SELECT 1 FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [reportSchema, FRESHNESS_VIEW]);
  if (view.length) return;
  await conn.execute(
    `CREATE OR REPLACE SQL SECURITY DEFINER VIEW ${qualify(reportSchema, FRESHNESS_VIEW)} AS
       SELECT table_name, kind, snapshot_at, run_id FROM ${live}`,
  );
}

/**
 * Writes the freshness rows a publish makes live into `target` (a temporary or shadow name in the
 * internal schema, made afresh): `entries` stamped with `stamp`, plus, with `keepOthers`, the live
 * rows of other tables that still exist in the report schema (a `sync --tables` run publishes only
 * some).
 */
export async function stageFreshness(
  conn: SqlConnection,
  reportSchema: string,
  target: string,
  entries: readonly FreshnessEntry[],
  stamp: FreshnessStamp,
  keepOthers: boolean,
): Promise<void> {
  const internal = internalSchemaOf(reportSchema);
  const t = qualify(internal, target);
  await conn.execute(`DROP TABLE IF EXISTS ${t}`);
  await conn.execute(ddl(t));
  if (keepOthers) {
    await conn.execute(
      `INSERT INTO ${t} SELECT f.table_name, f.kind, f.snapshot_at, f.run_id FROM ${qualify(internal, FRESHNESS_TABLE)} AS f
        JOIN information_schema.TABLES AS i ON i.TABLE_SCHEMA = ? AND i.TABLE_NAME = f.table_name`,
      [reportSchema],
    );
  }
  for (let i = 0; i < entries.length; i += 500) {
    const batch = entries.slice(i, i + 500).map((e) => [e.table, e.kind, stamp.snapshotAt, stamp.runId]);
    await conn.execute(`REPLACE INTO ${t} (table_name, kind, snapshot_at, run_id) VALUES ?`, [batch]);
  }
}

/**
 * For a full sync's publishing RENAME: the pairs that make the staged freshness table
 * (`tempName('new', FRESHNESS_TABLE)`) live, and the drop of the old one after. The live table
 * must exist (ensureFreshnessView). Pure.
 */
export function freshnessPublish(reportSchema: string): { pairs: string; drop: string } {
  const internal = internalSchemaOf(reportSchema);
  const live = qualify(internal, FRESHNESS_TABLE);
  const old = qualify(internal, tempName('old', FRESHNESS_TABLE));
  return {
    pairs: `${live} TO ${old}, ${qualify(internal, tempName('new', FRESHNESS_TABLE))} TO ${live}`,
    drop: `DROP TABLE IF EXISTS ${old}`,
  };
}
