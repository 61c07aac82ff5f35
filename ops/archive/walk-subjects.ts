/**
 * The rows of a chunk's subjects, and which subjects must be kept. The walk is pure logic over a
 * `RowSource` (the executor's reads the source with `FOR UPDATE`; unit tests pass tables in
 * memory): from the root rows it follows the cascade keys until no new row turns up, so cycles and
 * self-references end, and every row remembers the roots it belongs to.
 */
import type { ForeignKey } from '../../src/catalog/foreign-keys.js';
import type { Row } from '../../src/db/connection.js';
import type { ArchivePlan } from './plan-archive.js';

/** Where the walk reads rows: the rows of `fk.child` that reference one of `parents` through `fk`. */
export interface RowSource {
  referrers(fk: ForeignKey, parents: readonly Row[]): Promise<Row[]>;
}

/** One row of a subject and the root keys it belongs to (more than one when subjects share it). */
export interface SubjectRow {
  row: Row;
  roots: Set<string>;
}

/** The walk's result: per table, per key text, the row and its roots; and the kept roots. */
export interface Subjects {
  rows: Map<string, Map<string, SubjectRow>>;
  /** Kept root key → the blocking key's name (the first found). */
  kept: Map<string, string>;
}

/** A row's text key over `columns`: values joined by NUL, NULL as a mark no value prints. */
export function keyText(row: Row, columns: readonly string[]): string {
  return columns.map((c) => (row[c] === null || row[c] === undefined ? '\u0001N' : String(row[c] as string))).join('\u0000');
}

/** Walks the subjects of `roots` (rows of `plan.root`) and decides which are kept. */
export async function walkSubjects(plan: ArchivePlan, pk: ReadonlyMap<string, readonly string[]>, roots: readonly Row[], source: RowSource): Promise<Subjects> {
  const rows = new Map(plan.tables.map((t) => [t, new Map<string, SubjectRow>()]));
  const rootPk = pk.get(plan.root)!;
  let frontier = new Map<string, SubjectRow[]>([[plan.root, []]]);
  for (const r of roots) {
    const s = { row: r, roots: new Set([keyText(r, rootPk)]) };
    rows.get(plan.root)!.set(keyText(r, rootPk), s);
    frontier.get(plan.root)!.push(s);
  }
  while (frontier.size > 0) {
    const next = new Map<string, SubjectRow[]>();
    for (const [table, found] of frontier) {
      for (const fk of plan.edges.filter((e) => e.parent === table)) {
        const byRef = groupBy(found, (s) => keyText(s.row, fk.referenced));
        for (const kid of await source.referrers(fk, found.map((s) => s.row))) {
          const owners = byRef.get(keyText(kid, fk.columns))?.flatMap((s) => [...s.roots]) ?? [];
          const key = keyText(kid, pk.get(fk.child)!);
          const have = rows.get(fk.child)!.get(key);
          const target = have ?? { row: kid, roots: new Set<string>() };
          const before = target.roots.size;
          owners.forEach((o) => target.roots.add(o));
          if (!have) rows.get(fk.child)!.set(key, target);
          // A row seen again with new owners passes them on to its own dependents.
          if (!have || target.roots.size > before) {
            if (!next.has(fk.child)) next.set(fk.child, []);
            next.get(fk.child)!.push(target);
          }
        }
      }
    }
    frontier = next;
  }
  return { rows, kept: await findKept(plan, pk, rows, source) };
}

/**
 * The roots to keep: a subject with a row that a row outside every archived subject references
 * through a blocker, and (to a fixpoint) a subject sharing a row with a kept one: a row cannot be
 * both kept and archived.
 */
async function findKept(
  plan: ArchivePlan,
  pk: ReadonlyMap<string, readonly string[]>,
  rows: Map<string, Map<string, SubjectRow>>,
  source: RowSource,
): Promise<Map<string, string>> {
  const refs: { fk: ForeignKey; referrer: string; targets: SubjectRow[] }[] = [];
  for (const fk of plan.blockers) {
    const parents = [...rows.get(fk.parent)!.values()];
    if (parents.length === 0) continue;
    const byRef = groupBy(parents, (s) => keyText(s.row, fk.referenced));
    for (const r of await source.referrers(fk, parents.map((s) => s.row)))
      refs.push({ fk, referrer: keyText(r, pk.get(fk.child) ?? []), targets: byRef.get(keyText(r, fk.columns)) ?? [] });
  }
  const kept = new Map<string, string>();
  for (let changed = true; changed; ) {
    changed = false;
    const keep = (roots: Iterable<string>, why: string) => {
      for (const r of roots)
        if (!kept.has(r)) {
          kept.set(r, why);
          changed = true;
        }
    };
    for (const ref of refs) {
      const inside = rows.get(ref.fk.child)?.get(ref.referrer);
      // A referrer inside a subject goes too, unless one of its subjects stays.
      if (!inside || [...inside.roots].some((r) => kept.has(r))) for (const t of ref.targets) keep(t.roots, ref.fk.name);
    }
    for (const table of rows.values())
      for (const s of table.values()) if ([...s.roots].some((r) => kept.has(r))) keep(s.roots, kept.get([...s.roots].find((r) => kept.has(r))!)!);
  }
  return kept;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = out.get(k);
    if (list) list.push(i);
    else out.set(k, [i]);
  }
  return out;
}
