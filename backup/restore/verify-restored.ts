/**
 * The checks a restore passes before its one RENAME: every table holds the manifest's row count
 * and content checksum (the same `contentChecksum` the backup computed on the MyISAM mirror), and
 * no foreign key of the staging schema has a child row without its parent. The loads ran with
 * foreign_key_checks=0, so the orphan check is what guarantees the keys.
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { DualpipeError, StepError } from '../../src/errors.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';
import { contentChecksum } from '../../src/rows/content-checksum.js';
import { runOnSessions } from './load-chunk.js';
import type { RestoreTablePlan } from './plan-restore.js';

/**
 * Row count and content checksum of a staged table against the manifest; throws naming the table.
 * `meta` is the staged table as information_schema describes it (the checksum's NULL map depends
 * on which columns are nullable); its loaded columns must be the manifest's.
 */
export async function verifyTableContent(conn: SqlConnection, schema: string, t: RestoreTablePlan, meta: TableMeta): Promise<void> {
  const cols = writableColumns(meta).map((c) => c.name);
  if (cols.join('\0') !== t.manifestColumns.join('\0'))
    throw new StepError('restore check', t.name, { detail: `the staged table has columns ${cols.join(', ')}, the backup ${t.manifestColumns.join(', ')}` });
  const got = await contentChecksum(conn, schema, t.name, meta, t.checksum);
  if (got.rows !== t.rows)
    throw new StepError('restore check', t.name, { detail: `row count mismatch: the backup has ${t.rows} rows, ${got.rows} were loaded` });
  if (got.checksum !== t.checksum)
    throw new StepError('restore check', t.name, {
      detail: `content checksum mismatch (expected ${t.checksum}, got ${got.checksum})`,
    });
}

/** One foreign key, possibly multi-column, with its columns in key order. */
export interface ForeignKeyRef {
  table: string;
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}

/** Every foreign key of the tables in `schema`, from information_schema. */
export async function readForeignKeys(conn: SqlConnection, schema: string): Promise<ForeignKeyRef[]> {
  const rows = await conn.query<{ t: string; name: string; c: string; rs: string; rt: string; rc: string }>(
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name, COLUMN_NAME AS c, REFERENCED_TABLE_SCHEMA AS rs,
            REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc
       FROM information_schema.KEY_COLUMN_USAGE
      WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
    [schema],
  );
  const fks = new Map<string, ForeignKeyRef>();
  for (const r of rows) {
    const key = `${r.t}\0${r.name}`;
    const fk = fks.get(key) ?? { table: r.t, name: r.name, columns: [], refSchema: r.rs, refTable: r.rt, refColumns: [] };
    fk.columns.push(r.c);
    fk.refColumns.push(r.rc);
    fks.set(key, fk);
  }
  return [...fks.values()];
}

/**
 * Key values of the child without a parent row. MATCH SIMPLE, as InnoDB enforces it: a row with a
 * NULL in any of the key's columns references nothing and is not checked. Distinct values first
 * (read from the key's index), so each parent is probed once per value instead of once per row.
 */
export function orphanSql(schema: string, fk: ForeignKeyRef): string {
  const cols = fk.columns.map(quoteId);
  const notNull = cols.map((c) => `${c} IS NOT NULL`).join(' AND ');
  const match = fk.columns.map((c, i) => `p.${quoteId(fk.refColumns[i]!)} = c.${quoteId(c)}`).join(' AND ');
  return (
    `SELECT COUNT(*) AS n FROM (SELECT DISTINCT ${cols.join(', ')} FROM ${qualify(schema, fk.table)} WHERE ${notNull}) c ` +
    `WHERE NOT EXISTS (SELECT 1 FROM ${qualify(fk.refSchema, fk.refTable)} p WHERE ${match})`
  );
}

/** The orphan checks of one restore: run early, as soon as child and parent are loaded, and completed at the end. */
export class OrphanChecks {
  private readonly checked = new Set<string>();
  private readonly bad: string[] = [];
  constructor(private readonly schema: string) {}

  /** Checks one foreign key on `conn`; a violation is recorded and reported by `finish`. */
  async check(conn: SqlConnection, fk: ForeignKeyRef): Promise<void> {
    this.checked.add(`${fk.table}\0${fk.name}`);
    const r = await conn.query<{ n: number | string }>(orphanSql(this.schema, fk));
    const n = Number(r[0]?.n ?? 0);
    if (n > 0)
      this.bad.push(`${fk.table}.${fk.name} (${fk.columns.join(', ')} → ${fk.refTable}): ${n} key value(s) without a parent row`);
  }

  /**
   * Checks every foreign key of the schema, as information_schema lists them, that was not checked
   * yet; throws listing every violated key.
   */
  async finish(sessions: readonly SqlConnection[], throwIfAborted?: () => void): Promise<{ foreignKeys: number }> {
    const fks = await readForeignKeys(sessions[0]!, this.schema);
    const rest = fks.filter((fk) => !this.checked.has(`${fk.table}\0${fk.name}`));
    await runOnSessions(sessions, rest.map((fk) => (conn: SqlConnection) => this.check(conn, fk)), throwIfAborted).done;
    if (this.bad.length)
      throw new DualpipeError(`restore check failed: foreign key orphans in ${this.bad.join('; ')}`, {
        hint: 'the backup is not consistent; nothing was swapped in: use another backup',
      });
    return { foreignKeys: fks.length };
  }
}

/**
 * A cross-schema RENAME moves foreign keys along, so children and parents that move together keep
 * pointing at each other. Checked after the swap, because a server that did otherwise would leave
 * restored tables referencing the staging or previous schema: then say so and how to undo it.
 */
export async function checkForeignKeysStayed(admin: SqlConnection, target: string, tables: readonly string[]): Promise<void> {
  const restored = new Set(tables);
  const refs = await admin.query<{ t: string; name: string; s: string }>(
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS name, UNIQUE_CONSTRAINT_SCHEMA AS s
       FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?`,
    [target],
  );
  const astray = refs.filter((r) => restored.has(r.t) && r.s !== target);
  if (astray[0])
    throw new DualpipeError(
      `after the swap, foreign key ${astray[0].name} of ${target}.${astray[0].t} references schema ${astray[0].s}`,
      { hint: '`dualpipe restore --rollback` puts the previous tables back' },
    );
}
