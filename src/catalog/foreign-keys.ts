import type { SqlConnection } from '../db/connection.js';

/**
 * A foreign key's ON DELETE or ON UPDATE rule, as information_schema spells it. CASCADE, SET NULL
 * and SET DEFAULT change child rows without firing the children's triggers (see `changesChildren`).
 */
export type FkRule = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';

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

/** Reads the foreign keys among the tables of `schema`, columns in key order. */
export async function readForeignKeys(conn: SqlConnection, schema: string): Promise<ForeignKey[]> {
  const rows = await conn.query<{
    name: string;
    child: string;
    parent: string;
    del: string;
    upd: string;
    col: string;
    ref: string;
  }>(
    `SELECT r.CONSTRAINT_NAME AS name, r.TABLE_NAME AS child, r.REFERENCED_TABLE_NAME AS parent,
            r.DELETE_RULE AS del, r.UPDATE_RULE AS upd, k.COLUMN_NAME AS col, k.REFERENCED_COLUMN_NAME AS ref
       FROM information_schema.REFERENTIAL_CONSTRAINTS r
       JOIN information_schema.KEY_COLUMN_USAGE k
         ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME
        AND k.TABLE_NAME = r.TABLE_NAME
      WHERE r.CONSTRAINT_SCHEMA = ? AND r.UNIQUE_CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA
      ORDER BY r.TABLE_NAME, r.CONSTRAINT_NAME, k.ORDINAL_POSITION`,
    [schema],
  );
  const byName = new Map<string, ForeignKey>();
  for (const r of rows) {
    const key = `${r.child}\u0000${r.name}`;
    let fk = byName.get(key);
    if (!fk) {
      fk = {
        name: r.name,
        child: r.child,
        parent: r.parent,
        columns: [],
        referenced: [],
        onDelete: r.del as FkRule,
        onUpdate: r.upd as FkRule,
      };
      byName.set(key, fk);
    }
    fk.columns.push(r.col);
    fk.referenced.push(r.ref);
  }
  return [...byName.values()];
}
