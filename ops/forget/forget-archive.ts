/**
 * The subject's rows in the archive schema (MyISAM, written by `dualpipe archive`): the same plan
 * walked over the archive tables with reads that do not lock (MyISAM has no row locks; the
 * archive lock keeps `archive` out meanwhile), every row's key hashed. The hashes go into the
 * ledger entry of the first source transaction (or an entry of their own when the source holds
 * nothing), which commits before the MyISAM deletes: a kill between leaves rows the rerun finds and
 * erases (under a second entry with the same hashes), and the ledger never lacks a hash for a row
 * that is gone.
 *
 * MySQL with enforce_gtid_consistency refuses a MyISAM write inside a transaction that wrote
 * InnoDB (archive-chunk.ts): the MyISAM DELETEs run after the COMMIT, each a statement of its own.
 */
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { Row } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { nextRootKeys } from '../archive/chunk-journal.js';
import { deleteByKeysSql, keyLists } from '../archive/key-sql.js';
import { sqlRowSource } from '../archive/sql-row-source.js';
import { type RowSource, walkSubjects } from '../archive/walk-subjects.js';
import { type ForgetContext, subjectRows } from './forget-context.js';
import { hashSubject } from './hash-keys.js';

/** What the archive holds of the subject. */
export interface ArchiveSubject {
  /** False when the archive schema does not exist or has no table of the root. */
  checked: boolean;
  roots: number;
  /** Per table (plan order), the primary keys of the subject's rows there. */
  rows: Map<string, Row[]>;
  /** Per table, the keyed hashes of those rows (empty in a dry run without a key). */
  hashes: Map<string, string[]>;
}

const PAGE = 1000;

/** Reads the subject's rows in the archive (all of them: an archived customer is a bounded set) and hashes their keys. */
export async function readArchiveSubject(ctx: ForgetContext): Promise<ArchiveSubject> {
  const { conn, plan, metas, pk, archive } = ctx;
  const out: ArchiveSubject = { checked: false, roots: 0, rows: new Map(plan.tables.map((t) => [t, []])), hashes: new Map() };
  const present = new Set(
    (await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [archive])).map((r) => r.t),
  );
  if (!present.has(plan.root)) return out;
  out.checked = true;
  // A table the archive never received (or a blocker's table, which is not archived) has no rows there.
  const inner = sqlRowSource(conn, archive, plan, pk, false);
  const rowSource: RowSource = { referrers: async (fk: ForeignKey, parents) => (present.has(fk.child) ? inner.referrers(fk, parents) : []) };
  const seen = new Map(plan.tables.map((t) => [t, new Set<string>()]));
  for (let after: Row | undefined; ; ) {
    const roots = await nextRootKeys(conn, archive, metas.get(plan.root)!, ctx.filter, after, PAGE);
    if (roots.length === 0) break;
    after = roots[roots.length - 1];
    out.roots += roots.length;
    const subjects = await walkSubjects(plan, pk, roots, rowSource);
    for (const [t, list] of subjectRows(plan, subjects.rows))
      for (const r of list) {
        const k = JSON.stringify(pk.get(t)!.map((c) => String(r[c] as string)));
        if (!seen.get(t)!.has(k)) {
          seen.get(t)!.add(k);
          out.rows.get(t)!.push(r);
        }
      }
  }
  if (ctx.key && !ctx.dryRun) out.hashes = await hashSubject(conn, archive, metas, out.rows, ctx.key);
  return out;
}

/** Deletes the subject's rows from the archive tables (after their ledger entry committed). */
export async function deleteArchiveRows(ctx: ForgetContext, subject: ArchiveSubject): Promise<void> {
  for (const t of ctx.plan.deleteOrder)
    for (const w of keyLists('', ctx.pk.get(t)!, subject.rows.get(t)!)) {
      await ctx.conn.execute(deleteByKeysSql(qualify(ctx.archive, t), w), w.params);
    }
}
