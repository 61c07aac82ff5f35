/**
 * The subject's rows in the archive schema (MyISAM, written by `dualpipe archive`) erased too: the
 * same plan walked over the archive tables with reads that do not lock (MyISAM has no row locks;
 * the archive lock keeps `archive` out meanwhile), every row's key hashed, the ledger entry
 * committed first, then the MyISAM deletes. A kill between the entry and the deletes leaves rows
 * the rerun finds and erases (under a second entry with the same hashes): no row escapes, and the
 * ledger never misses a hash for a row that was gone.
 *
 * MySQL with enforce_gtid_consistency refuses a MyISAM write inside a transaction that wrote
 * InnoDB (archive-chunk.ts): the entry (InnoDB) is appended with autocommit, and each MyISAM
 * DELETE is a statement of its own.
 */
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { Row } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { InternalError } from '../../src/errors.js';
import { appendErasure } from '../../src/erasure/ledger.js';
import { nextRootKeys } from '../archive/chunk-journal.js';
import { batches, keysIn } from '../archive/key-sql.js';
import { sqlRowSource } from '../archive/sql-row-source.js';
import { type RowSource, walkSubjects } from '../archive/walk-subjects.js';
import { erasureEntry } from './erasure-entry.js';
import { type ForgetContext, subjectRows } from './forget-context.js';
import { hashSubject } from './hash-keys.js';

/** What the archive held of the subject, and the entries made for it. */
export interface ArchiveErasure {
  /** False when the archive schema does not exist or has no table of the root. */
  checked: boolean;
  roots: number;
  counts: Map<string, number>;
  entryIds: string[];
}

/** Erases (or counts, in a dry run) the subject's rows in the archive, `chunkRows` roots at a time. */
export async function forgetArchive(ctx: ForgetContext, chunkRows: number, afterEntry?: () => Promise<void> | void): Promise<ArchiveErasure> {
  const { conn, plan, metas, pk, archive } = ctx;
  const counts = new Map(plan.tables.map((t) => [t, 0]));
  const out: ArchiveErasure = { checked: false, roots: 0, counts, entryIds: [] };
  const present = new Set(
    (await conn.query<{ t: string }>('SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [archive])).map((r) => r.t),
  );
  if (!present.has(plan.root)) return out;
  out.checked = true;
  // A table the archive never received (or a blocker's table, which is not archived) has no rows there.
  const inner = sqlRowSource(conn, archive, plan, pk, false);
  const rowSource: RowSource = { referrers: async (fk: ForeignKey, parents) => (present.has(fk.child) ? inner.referrers(fk, parents) : []) };
  const rootMeta = metas.get(plan.root)!;
  let last: Row | undefined;
  for (;;) {
    // Erased roots leave the table: each pass starts from the beginning (a dry run pages on).
    const roots = await nextRootKeys(conn, archive, rootMeta, ctx.filter, ctx.dryRun ? last : undefined, chunkRows);
    if (roots.length === 0) return out;
    last = roots[roots.length - 1];
    out.roots += roots.length;
    const subjects = await walkSubjects(plan, pk, roots, rowSource);
    const rows = subjectRows(plan, subjects.rows);
    for (const [t, r] of rows) counts.set(t, counts.get(t)! + r.length);
    if (ctx.dryRun) continue;
    if (!ctx.key) throw new InternalError('forgetArchive', 'a real run needs the erasure key');
    const hashes = await hashSubject(conn, archive, metas, rows, ctx.key);
    const entry = await erasureEntry(conn, { reason: ctx.reason, schema: archive, root: plan.root, key: ctx.key, counts: new Map([...rows].map(([t, r]) => [t, r.length])) });
    await conn.execute('START TRANSACTION');
    try {
      await appendErasure(conn, ctx.ledgerSchema, entry, hashes);
      await conn.execute('COMMIT');
    } catch (error) {
      await conn.execute('ROLLBACK').catch(() => undefined);
      throw error;
    }
    out.entryIds.push(entry.id);
    await afterEntry?.();
    for (const t of plan.deleteOrder)
      for (const batch of batches(rows.get(t)!)) {
        const w = keysIn('', pk.get(t)!, batch);
        await conn.execute(`DELETE FROM ${qualify(archive, t)} WHERE ${w.sql}`, w.params);
      }
  }
}
