/**
 * The checks a restore passes before its one RENAME: every table holds the manifest's row count
 * and content checksum (the same `contentChecksum` the backup computed on the MyISAM mirror), and
 * no foreign key of the staging schema has a child row without its parent. The loads ran with
 * foreign_key_checks=0, so the orphan check is what guarantees the keys.
 */
import type { SqlConnection } from '../src/db/connection.js';
import { qualify, quoteId } from '../src/db/quote.js';
import { DualpipeError, StepError } from '../src/errors.js';
import { type TableMeta, writableColumns } from '../sync/table-meta.js';
import { contentChecksum } from './content-checksum.js';
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
    throw new StepError('restore check', t.name, { cause: new Error(`the staged table has columns ${cols.join(', ')}, the backup ${t.manifestColumns.join(', ')}`) });
  const got = await contentChecksum(conn, schema, t.name, meta);
  if (got.rows !== t.rows)
    throw new StepError('restore check', t.name, { cause: new Error(`row count mismatch: the backup has ${t.rows} rows, ${got.rows} were loaded`) });
  if (got.checksum !== t.checksum)
    throw new StepError('restore check', t.name, {
      cause: new Error(`content checksum mismatch (expected ${t.checksum}, got ${got.checksum})`),
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
 * Child rows whose parent row is missing. MATCH SIMPLE, as InnoDB enforces it: a row with a NULL
 * in any of the key's columns references nothing and is not checked.
 */
export function orphanSql(schema: string, fk: ForeignKeyRef): string {
  const notNull = fk.columns.map((c) => `c.${quoteId(c)} IS NOT NULL`).join(' AND ');
  const match = fk.columns.map((c, i) => `p.${quoteId(fk.refColumns[i]!)} = c.${quoteId(c)}`).join(' AND ');
  return (
    `SELECT COUNT(*) AS n FROM ${qualify(schema, fk.table)} c WHERE ${notNull} ` +
    `AND NOT EXISTS (SELECT 1 FROM ${qualify(fk.refSchema, fk.refTable)} p WHERE ${match})`
  );
}

/** Runs the orphan check of every foreign key in `schema` on the given sessions; throws listing every violated key. */
export async function checkOrphans(
  sessions: readonly SqlConnection[],
  schema: string,
  throwIfAborted?: () => void,
): Promise<{ foreignKeys: number }> {
  const fks = await readForeignKeys(sessions[0]!, schema);
  const bad: string[] = [];
  const tasks = fks.map((fk) => async (conn: SqlConnection) => {
    const r = await conn.query<{ n: number | string }>(orphanSql(schema, fk));
    const n = Number(r[0]?.n ?? 0);
    if (n > 0)
      bad.push(`${fk.table}.${fk.name} (${fk.columns.join(', ')} → ${fk.refTable}): ${n} row(s) without a parent`);
  });
  await runOnSessions(sessions, tasks, throwIfAborted).done;
  if (bad.length)
    throw new DualpipeError(`restore check failed: foreign key orphans in ${bad.join('; ')}`, {
      hint: 'the backup is not consistent; nothing was swapped in: use another backup',
    });
  return { foreignKeys: fks.length };
}
