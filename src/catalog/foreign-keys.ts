import type { SqlConnection } from '../db/connection.js';
import { qualify } from '../db/quote.js';
import { InternalError } from '../errors.js';
import { type FkRule, fkRulesFromDdl } from './fk-rules-from-ddl.js';

export type { FkRule } from './fk-rules-from-ddl.js';

/** One foreign key of the source: `child(columns)` references `parent(referenced)`. */
export interface ForeignKey {
  name: string;
  child: string;
  columns: string[];
  parent: string;
  referenced: string[];
  onDelete: FkRule;
  onUpdate: FkRule;
}

/** True when removing or re-keying a parent row changes child rows without firing their triggers. */
export function changesChildren(fk: ForeignKey): boolean {
  const acts = (r: FkRule) => r === 'CASCADE' || r === 'SET NULL' || r === 'SET DEFAULT';
  return acts(fk.onDelete) || acts(fk.onUpdate);
}

/**
 * Reads the foreign keys among the tables of `schema`, columns in key order. The columns come from
 * KEY_COLUMN_USAGE; the rules from REFERENTIAL_CONSTRAINTS, or, where MariaDB hides that from the
 * account (SELECT only), from the child's SHOW CREATE TABLE (fk-rules-from-ddl.ts).
 */
export async function readForeignKeys(conn: SqlConnection, schema: string): Promise<ForeignKey[]> {
  const rows = await conn.query<{
    name: string;
    child: string;
    parent: string;
    del: string | null;
    upd: string | null;
    col: string;
    ref: string;
  }>(
    `SELECT k.CONSTRAINT_NAME AS name, k.TABLE_NAME AS child, k.REFERENCED_TABLE_NAME AS parent,
            r.DELETE_RULE AS del, r.UPDATE_RULE AS upd, k.COLUMN_NAME AS col, k.REFERENCED_COLUMN_NAME AS ref
       FROM information_schema.KEY_COLUMN_USAGE k
       LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r
         ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
        AND r.TABLE_NAME = k.TABLE_NAME
      WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_SCHEMA = k.TABLE_SCHEMA AND k.REFERENCED_TABLE_NAME IS NOT NULL
      ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [schema],
  );
  const byName = new Map<string, ForeignKey>();
  const ddls = new Map<string, string>();
  for (const r of rows) {
    const key = `${r.child}\u0000${r.name}`;
    let fk = byName.get(key);
    if (!fk) {
      let rules = r.del !== null && r.upd !== null ? { onDelete: r.del as FkRule, onUpdate: r.upd as FkRule } : undefined;
      if (!rules) {
        if (!ddls.has(r.child)) ddls.set(r.child, await showCreateTable(conn, schema, r.child));
        rules = fkRulesFromDdl(ddls.get(r.child)!, r.name);
        if (!rules) throw new InternalError('readForeignKeys', `foreign key ${r.name} of ${schema}.${r.child} is in KEY_COLUMN_USAGE but not in SHOW CREATE TABLE`);
      }
      fk = { name: r.name, child: r.child, parent: r.parent, columns: [], referenced: [], ...rules };
      byName.set(key, fk);
    }
    fk.columns.push(r.col);
    fk.referenced.push(r.ref);
  }
  return [...byName.values()];
}

async function showCreateTable(conn: SqlConnection, schema: string, table: string): Promise<string> {
  const rows = await conn.query<Record<string, string>>(`SHOW CREATE TABLE ${qualify(schema, table)}`);
  return rows[0]?.['Create Table'] ?? '';
}
