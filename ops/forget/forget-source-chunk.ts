/**
 * One chunk of roots erased from the source in one InnoDB transaction: lock the roots (the filter
 * checked again under the lock), walk their cascade closure with locking reads, refuse on a
 * RESTRICT referrer, hash every leaving row's primary key, null the SET NULL references of outside
 * rows, delete children before parents, append the ledger entry with its hashes, COMMIT. The
 * ledger is InnoDB in the same server, so the entry and the deletes commit or vanish together:
 * there is never an erasure without its entry, nor an entry for rows still there.
 */
import type { Row } from '../../src/db/connection.js';
import { renderWhere } from '../../backup/restore/where-filter.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { InternalError } from '../../src/errors.js';
import { appendErasure } from '../../src/erasure/ledger.js';
import { lockRoots } from '../archive/chunk-journal.js';
import { deleteByKeysSql, keyLists, keysIn } from '../archive/key-sql.js';
import { sqlRowSource } from '../archive/sql-row-source.js';
import { walkSubjects } from '../archive/walk-subjects.js';
import { erasureEntry } from './erasure-entry.js';
import { type ForgetContext, subjectRows } from './forget-context.js';
import { hashSubject } from './hash-keys.js';
import { nullReferences, outsideReferrers, refuseRestricted } from './outside-referrers.js';

/** What one source chunk erased (or, in a dry run, would erase). */
export interface SourceChunk {
  roots: number;
  counts: Map<string, number>;
  /** Outside rows nulled per SET NULL key name and its table. */
  nulled: { foreignKey: string; table: string; rows: number }[];
  entryId?: string;
}

/** Rows erased elsewhere (the archive) whose counts and hashes ride in this chunk's ledger entry. */
export interface Rider {
  counts: ReadonlyMap<string, number>;
  hashes: ReadonlyMap<string, readonly string[]>;
}

/** Erases the subjects of `roots` (root primary keys); a dry run reads without locks and changes nothing. `rider` joins the entry. */
export async function forgetSourceChunk(ctx: ForgetContext, roots: readonly Row[], rider?: Rider): Promise<SourceChunk> {
  const { conn, plan, metas, pk, source } = ctx;
  const rootMeta = metas.get(plan.root)!;
  const lock = !ctx.dryRun;
  if (lock) await conn.execute('START TRANSACTION');
  try {
    const locked = lock ? await lockRoots(conn, source, rootMeta, plan.columns.get(plan.root)!, ctx.filter, roots) : await readRoots(ctx, roots);
    const rowSource = sqlRowSource(conn, source, plan, pk, lock);
    const subjects = await walkSubjects(plan, pk, locked, rowSource);
    const refs = await outsideReferrers(plan, pk, subjects, rowSource);
    refuseRestricted(refs);
    const rows = subjectRows(plan, subjects.rows);
    const counts = new Map([...rows].map(([t, r]) => [t, r.length]));
    const nulledOf = (list: { fk: { name: string; child: string }; rows: number }[]) => list.map((n) => ({ foreignKey: n.fk.name, table: n.fk.child, rows: n.rows }));
    if (!lock) return { roots: locked.length, counts, nulled: nulledOf(refs.filter((r) => r.fk.onDelete === 'SET NULL').map((r) => ({ fk: r.fk, rows: r.rows.length }))) };
    if (locked.length === 0) {
      await conn.execute('ROLLBACK');
      return { roots: 0, counts, nulled: [] };
    }
    if (!ctx.key) throw new InternalError('forgetSourceChunk', 'a real run needs the erasure key');
    const hashes = await hashSubject(conn, source, metas, rows, ctx.key);
    const nulled = await nullReferences(conn, source, pk, refs);
    for (const t of plan.deleteOrder)
      // One table per DELETE, children first: each fires the capture triggers (a cascade would not).
      for (const w of keyLists('', pk.get(t)!, rows.get(t)!)) {
        await conn.execute(deleteByKeysSql(qualify(source, t), w), w.params);
      }
    const entry = await erasureEntry(conn, { reason: ctx.reason, schema: source, root: plan.root, key: ctx.key, counts: merge(counts, rider?.counts) });
    await appendErasure(conn, ctx.ledgerSchema, entry, merge(hashes, rider?.hashes));
    await conn.execute('COMMIT');
    return { roots: locked.length, counts, nulled: nulledOf(nulled), entryId: entry.id };
  } catch (error) {
    if (lock) await conn.execute('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The roots of a dry run, read without a lock (the filter checked again, as the real run does). */
async function readRoots(ctx: ForgetContext, roots: readonly Row[]): Promise<Row[]> {
  const rootMeta = ctx.metas.get(ctx.plan.root)!;
  const w = renderWhere(ctx.filter, 'r');
  const k = keysIn('r', rootMeta.primaryKey, roots);
  const cols = ctx.plan.columns.get(ctx.plan.root)!.map((c) => `r.${quoteId(c)}`).join(', ');
  return ctx.conn.query(`SELECT ${cols} FROM ${qualify(ctx.source, rootMeta.name)} AS r WHERE ${k.sql} AND ${w.sql}`, [...k.params, ...w.params]);
}

/** Per table, `a` and `b` together (numbers added, lists joined). */
function merge(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number> | undefined): Map<string, number>;
function merge(a: ReadonlyMap<string, readonly string[]>, b: ReadonlyMap<string, readonly string[]> | undefined): Map<string, readonly string[]>;
function merge(a: ReadonlyMap<string, number | readonly string[]>, b: ReadonlyMap<string, number | readonly string[]> | undefined): Map<string, number | readonly string[]> {
  const out = new Map(a);
  for (const [t, v] of b ?? []) {
    const have = out.get(t);
    out.set(t, have === undefined ? v : typeof v === 'number' ? Number(have) + v : [...(have as readonly string[]), ...v]);
  }
  return out;
}
