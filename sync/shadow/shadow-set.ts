/**
 * The shadow set: a second copy of every mirror and report table (`__dp_shadow_<name>`), one
 * generation behind the live set. MyISAM has no rollback, so an incremental sync never writes a
 * live table: it brings the shadow copies up to its snapshot, then one RENAME swaps every live
 * table with its shadow. A run killed before the RENAME leaves the live set wholly old; the
 * shadow it left half-written is marked dirty and copied again from the live set by the next
 * run. Which snapshot a set reflects is written in a one-row marker table that is swapped with
 * it (`__dp_gen` live, its shadow with the shadow set), so the marker can never disagree with
 * the tables.
 *
 * Shadows and markers live in the internal schema (src/catalog/internal-schema.ts); every
 * function here takes the REPORT schema. The swap renames across the two schemas in one statement.
 */
import pLimit from 'p-limit';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { withSession } from '../../src/db/with-session.js';
import { StepError } from '../../src/errors.js';
import { discoverTables } from '../../src/catalog/discover-tables.js';
import { writableColumns } from '../../src/catalog/table-meta.js';
import { copiedSelectList } from '../../src/rows/server-copy-sql.js';
import { prepareSession } from '../../src/db/sessions.js';
import { tempName } from '../../src/catalog/temp-names.js';
import { isNoSuchTable } from '../../src/db/no-such-table.js';
import { internalSchemaOf } from '../../src/catalog/internal-schema.js';

/** The one-row marker table of a set: which run's snapshot the set reflects. */
export const GENERATION_TABLE = '__dp_gen';
/** The shadow copy's name of a live table. */
export const shadowName = (table: string) => tempName('shadow', table);

/** The contents of a generation marker. */
export interface Generation {
  /** Run id of the sync whose snapshot the set reflects. */
  runId: number;
  /** True while a run writes the set (shadow only). */
  dirty: boolean;
  /**
   * Where binlog capture resumes for this set: a binlog position (serializeBinlogPosition) at or
   * before the set's snapshot. Written with the marker and published in the same RENAME as the set,
   * so the live set and its resume point never disagree. Absent: unknown (a binlog run is full).
   */
  binlog?: string | null;
  /**
   * Shadow only: the set is the live set a full sync replaced (kept under binlog capture, see
   * keepOldSetAsShadow), so no journal links it to the live set: the next run catches it up from
   * the binlog at its own `binlog` position, or copies the live set afresh.
   */
  behindFull?: boolean;
}

/** Reads a marker table of report schema `schema` (in its internal schema); null when there is none. */
export async function readGeneration(conn: SqlConnection, schema: string, table: string): Promise<Generation | null> {
  try {
    // SELECT *: a marker from before the binlog column reads as "no resume point".
    const rows = await conn.query<{ generation: string | number; dirty: string | number; binlog?: string | null; behind_full?: string | number | null }>(
      `SELECT * FROM ${qualify(internalSchemaOf(schema), table)} LIMIT 1`,
    );
    const r = rows[0];
    return r ? { runId: Number(r.generation), dirty: Number(r.dirty) === 1, binlog: r.binlog ?? null, ...(Number(r.behind_full ?? 0) === 1 ? { behindFull: true } : {}) } : null;
  } catch (error) {
    if (isNoSuchTable(error)) return null;
    throw error;
  }
}

/**
 * (Re)writes a marker table of report schema `schema` (in its internal schema); `table` may be a
 * temporary name that a RENAME later makes live.
 */
export async function writeGeneration(conn: SqlConnection, schema: string, table: string, gen: Generation): Promise<void> {
  const marker = qualify(internalSchemaOf(schema), table);
  await conn.execute(
    `CREATE TABLE IF NOT EXISTS ${marker} (generation BIGINT UNSIGNED NOT NULL PRIMARY KEY, dirty TINYINT NOT NULL, binlog TEXT NULL, behind_full TINYINT NOT NULL DEFAULT 0) ENGINE=MyISAM`,
  );
  // Markers written by earlier versions lack the later columns.
  const cols = new Set(
    (
      await conn.query<{ c: string }>('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [internalSchemaOf(schema), table])
    ).map((r) => r.c),
  );
  if (!cols.has('binlog')) await conn.execute(`ALTER TABLE ${marker} ADD COLUMN binlog TEXT NULL`);
  if (!cols.has('behind_full')) await conn.execute(`ALTER TABLE ${marker} ADD COLUMN behind_full TINYINT NOT NULL DEFAULT 0`);
  await conn.execute(`DELETE FROM ${marker}`);
  await conn.execute(`INSERT INTO ${marker} (generation, dirty, binlog, behind_full) VALUES (?, ?, ?, ?)`, [gen.runId, gen.dirty ? 1 : 0, gen.binlog ?? null, gen.behindFull ? 1 : 0]);
}

/** Marks the shadow set as being written (a run killed now leaves it dirty). */
export async function markShadowDirty(conn: SqlConnection, schema: string, gen: Generation): Promise<void> {
  await writeGeneration(conn, schema, shadowName(GENERATION_TABLE), { ...gen, dirty: true });
}

/** Drops every shadow table: a full sync replaces the live set, so the shadows are stale. */
export async function dropShadowSet(conn: SqlConnection, schema: string): Promise<string[]> {
  const internal = internalSchemaOf(schema);
  const rows = await conn.query<{ t: string }>(
    `SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '\\_\\_dp\\_shadow\\_%'`,
    [internal],
  );
  // The marker goes first: a set without its marker is never used.
  const names = rows.map((r) => r.t).sort((a, b) => Number(b === shadowName(GENERATION_TABLE)) - Number(a === shadowName(GENERATION_TABLE)));
  for (const t of names) await conn.execute(`DROP TABLE IF EXISTS ${qualify(internal, t)}`);
  return names;
}

/**
 * Copies the live tables into fresh shadows (after a full sync, or over a dirty shadow), then
 * writes the shadow marker with the live generation. MyISAM to MyISAM on the report server;
 * generated columns are recomputed, not copied.
 */
export async function primeShadowSet(
  report: SqlConnector,
  admin: SqlConnection,
  schema: string,
  tables: readonly string[],
  live: Generation,
  threads: number,
): Promise<void> {
  const internal = internalSchemaOf(schema);
  await admin.execute(`DROP TABLE IF EXISTS ${qualify(internal, shadowName(GENERATION_TABLE))}`);
  const metas = new Map((await discoverTables(admin, schema, { engine: 'MyISAM' })).map((m) => [m.name, m]));
  const limit = pLimit(Math.max(1, threads));
  await Promise.all(
    tables.map((t) =>
      limit(async () => {
        const meta = metas.get(t);
        if (!meta) throw new StepError('copying the shadow set', t, { detail: 'the live table is missing: run a full `dualpipe sync`' });
        const cols = writableColumns(meta).map((c) => quoteId(c.name)).join(', ');
        const values = copiedSelectList(writableColumns(meta));
        const shadow = qualify(internal, shadowName(t));
        await withSession(report, async (conn) => {
          await prepareSession(conn);
          await conn.execute(`DROP TABLE IF EXISTS ${shadow}`);
          await conn.execute(`CREATE TABLE ${shadow} LIKE ${qualify(schema, t)}`);
          await conn.execute(`ALTER TABLE ${shadow} DISABLE KEYS`);
          await conn.execute(`INSERT INTO ${shadow} (${cols}) SELECT ${values} FROM ${qualify(schema, t)}`);
          await conn.execute(`ALTER TABLE ${shadow} ENABLE KEYS`);
        });
      }),
    ),
  );
  await writeGeneration(admin, schema, shadowName(GENERATION_TABLE), { runId: live.runId, dirty: false });
}

/**
 * Why the shadow set cannot be built on, or null when it can: it must be clean, complete (every
 * one of `tables` has its shadow among `present`) and not ahead of the live set. Otherwise an
 * incremental run copies the live tables into it afresh (primeShadowSet). Pure.
 */
export function shadowSetProblem(
  shadow: Generation | null,
  live: Generation,
  tables: readonly string[],
  present: ReadonlySet<string>,
): 'missing' | 'dirty' | 'behind a full sync' | 'ahead of the live set' | 'incomplete' | null {
  if (!shadow) return 'missing';
  if (shadow.dirty) return 'dirty';
  // Caught up from the binlog by the facts reader (read-incremental-facts.ts), which then clears the flag.
  if (shadow.behindFull) return 'behind a full sync';
  if (shadow.runId > live.runId) return 'ahead of the live set';
  if (!tables.every((t) => present.has(shadowName(t)))) return 'incomplete';
  return null;
}

/**
 * One RENAME that swaps every live table of report schema `schema` with its shadow in the internal
 * schema, and the `internalPairs` (markers, freshness) within the internal schema. Pure.
 */
export function swapSql(schema: string, tables: readonly string[], internalPairs: readonly string[] = [GENERATION_TABLE]): string {
  const internal = internalSchemaOf(schema);
  const pairs: string[] = [];
  const swap = (liveSchema: string, t: string) => {
    const tmp = qualify(internal, tempName('old', t));
    pairs.push(`${qualify(liveSchema, t)} TO ${tmp}`, `${qualify(internal, shadowName(t))} TO ${qualify(liveSchema, t)}`, `${tmp} TO ${qualify(internal, shadowName(t))}`);
  };
  for (const t of tables) swap(schema, t);
  for (const t of internalPairs) swap(internal, t);
  return `RENAME TABLE ${pairs.join(', ')}`;
}
