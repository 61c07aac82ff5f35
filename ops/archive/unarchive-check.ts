/**
 * What would stop an unarchive, found before anything moves (so a refused run changes nothing):
 * a subject row whose primary key is taken in the source again, and a subject row whose foreign
 * key points at a parent that is neither in the source nor in the subjects coming back (an
 * organisation deleted since, say). Read-only; the move checks again under its transaction.
 */
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { TableMeta } from '../../src/catalog/table-meta.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { BY_PRIMARY, keyLists } from './key-sql.js';
import { keyText } from './walk-subjects.js';

/** One reason rows cannot come back, with a few example keys. */
export interface UnarchiveProblem {
  table: string;
  /** `in-source`: the key is live again; `missing-parent`: `foreignKey` points at no row. */
  kind: 'in-source' | 'missing-parent';
  foreignKey?: string;
  rows: number;
  examples: string[];
}

const EXAMPLES = 5;

/** The problems of the rows `coming` (per table, with their plan columns) against the live source. */
export async function findUnarchiveProblems(
  conn: SqlConnection,
  s: { source: string; archive: string },
  fks: readonly ForeignKey[],
  metas: ReadonlyMap<string, TableMeta>,
  coming: ReadonlyMap<string, readonly Row[]>,
): Promise<UnarchiveProblem[]> {
  const out: UnarchiveProblem[] = [];
  const add = (p: Omit<UnarchiveProblem, 'rows' | 'examples'>, key: string) => {
    let have = out.find((o) => o.table === p.table && o.kind === p.kind && o.foreignKey === p.foreignKey);
    if (!have) out.push((have = { ...p, rows: 0, examples: [] }));
    have.rows++;
    if (have.examples.length < EXAMPLES) have.examples.push(key.replaceAll('\u0000', ','));
  };
  for (const [table, rows] of coming) {
    const pk = metas.get(table)!.primaryKey;
    for (const w of keyLists('s', pk, rows)) {
      for (const r of await conn.query(`SELECT ${pk.map((c) => `s.${quoteId(c)}`).join(', ')} FROM ${qualify(s.source, table)} AS s ${BY_PRIMARY} WHERE ${w.sql}`, w.params))
        add({ table, kind: 'in-source' }, keyText(r, pk));
    }
  }
  for (const fk of fks) {
    const rows = coming.get(fk.child);
    if (!rows || rows.length === 0) continue;
    const pk = metas.get(fk.child)!.primaryKey;
    // Parents coming back in the same run count as present.
    const arriving = new Set((coming.get(fk.parent) ?? []).map((p) => keyText(p, fk.referenced)));
    const match = fk.columns.map((c, i) => `p.${quoteId(fk.referenced[i]!)} = a.${quoteId(c)}`).join(' AND ');
    const notNull = fk.columns.map((c) => `a.${quoteId(c)} IS NOT NULL`).join(' AND ');
    for (const w of keyLists('a', pk, rows)) {
      const sql =
        `SELECT ${[...new Set([...pk, ...fk.columns])].map((c) => `a.${quoteId(c)}`).join(', ')} FROM ${qualify(s.archive, fk.child)} AS a ${BY_PRIMARY} ` +
        `WHERE ${w.sql} AND ${notNull} AND NOT EXISTS (SELECT 1 FROM ${qualify(s.source, fk.parent)} AS p WHERE ${match})`;
      for (const r of await conn.query(sql, w.params)) {
        const asParent = Object.fromEntries(fk.referenced.map((c, i) => [c, r[fk.columns[i]!]]));
        if (!arriving.has(keyText(asParent, fk.referenced))) add({ table: fk.child, kind: 'missing-parent', foreignKey: fk.name }, keyText(r, pk));
      }
    }
  }
  return out;
}

/** The problems as one line for the refusal. */
export function describeProblems(problems: readonly UnarchiveProblem[]): string {
  return problems
    .map((p) =>
      p.kind === 'in-source'
        ? `${p.rows} row(s) of ${p.table} are in the source again (e.g. ${p.examples.join('; ')})`
        : `${p.rows} row(s) of ${p.table} reference through ${p.foreignKey} a row that no longer exists (e.g. ${p.examples.join('; ')})`,
    )
    .join('; ');
}
