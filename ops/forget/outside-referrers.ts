/**
 * Rows outside a subject that reference one of its rows through a key whose ON DELETE rule is not
 * CASCADE (the plan's "blockers"). An archive keeps such a subject; an erasure cannot keep anything,
 * so: through SET NULL the reference is nulled (what InnoDB's delete would do, but done by an
 * explicit UPDATE so that change capture's triggers see it: foreign-key actions fire no triggers);
 * through RESTRICT or NO ACTION the erasure is refused, naming the key and the tables, because a
 * row another table must keep (an invoice under a retention law, say) is for a DBA to decide about.
 */
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { UsageError } from '../../src/errors.js';
import type { ArchivePlan } from '../archive/plan-archive.js';
import { keyLists } from '../archive/key-sql.js';
import { keyText, type RowSource, type Subjects } from '../archive/walk-subjects.js';

/** The outside referrers of one blocking key. */
export interface OutsideRefs {
  fk: ForeignKey;
  rows: Row[];
}

/** Per blocking key, the referrers of the subject's rows that are not themselves in the subject (keys with none are left out). */
export async function outsideReferrers(plan: ArchivePlan, pk: ReadonlyMap<string, readonly string[]>, subjects: Subjects, source: RowSource): Promise<OutsideRefs[]> {
  const out: OutsideRefs[] = [];
  for (const fk of plan.blockers) {
    const parents = [...(subjects.rows.get(fk.parent)?.values() ?? [])].map((s) => s.row);
    if (parents.length === 0) continue;
    const inside = subjects.rows.get(fk.child);
    const childPk = pk.get(fk.child) ?? [];
    const rows = (await source.referrers(fk, parents)).filter((r) => !(inside && childPk.length > 0 && inside.has(keyText(r, childPk))));
    if (rows.length > 0) out.push({ fk, rows });
  }
  return out;
}

/** Throws (exit 2) when a RESTRICT or NO ACTION key has outside referrers; names keys and tables, never key values. */
export function refuseRestricted(refs: readonly OutsideRefs[]): void {
  const held = refs.filter((r) => r.fk.onDelete !== 'SET NULL');
  if (held.length === 0) return;
  const names = held.map((r) => `${r.fk.name} (${r.rows.length} row(s) of ${r.fk.child} reference ${r.fk.parent}, ON DELETE ${r.fk.onDelete})`).join('; ');
  throw new UsageError(`forget refused: rows outside the subject still reference it: ${names}`, {
    hint: 'nothing changed; a DBA must decide about those rows (delete them, or re-point them) before the subject can be forgotten',
  });
}

/** Nulls the SET NULL references of the outside referrers (by their primary key; a table without one is left to InnoDB's action). Returns rows nulled per key. */
export async function nullReferences(conn: SqlConnection, schema: string, pk: ReadonlyMap<string, readonly string[]>, refs: readonly OutsideRefs[]): Promise<{ fk: ForeignKey; rows: number }[]> {
  const out: { fk: ForeignKey; rows: number }[] = [];
  for (const { fk, rows } of refs) {
    if (fk.onDelete !== 'SET NULL') continue;
    const childPk = pk.get(fk.child) ?? [];
    if (childPk.length > 0) {
      const set = fk.columns.map((c) => `${quoteId(c)} = NULL`).join(', ');
      for (const w of keyLists('', childPk, rows)) {
        await conn.execute(`UPDATE ${qualify(schema, fk.child)} SET ${set} WHERE ${w.sql}`, w.params);
      }
    }
    out.push({ fk, rows: rows.length });
  }
  return out;
}
