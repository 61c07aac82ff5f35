/**
 * The subject walk against a naive reference, over random small foreign-key graphs (trees,
 * self-references and cycles among cascade keys, plus RESTRICT keys): the rows it finds are exactly
 * the row-level closure of the roots, and a root is kept exactly when a row outside every
 * archived subject references its subject through a RESTRICT key (or shares a row with a kept one).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planArchive } from '../../../ops/archive/plan-archive.js';
import { type RowSource, walkSubjects } from '../../../ops/archive/walk-subjects.js';
import type { ForeignKey } from '../../../src/catalog/foreign-keys.js';
import type { Row } from '../../../src/db/connection.js';

const world = fc
  .integer({ min: 1, max: 4 })
  .chain((n) =>
    fc.record({
      fks: fc.array(fc.record({ child: fc.nat(n - 1), parent: fc.nat(n - 1), cascade: fc.boolean() }), { minLength: 1, maxLength: 5 }),
      rows: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: n, maxLength: n }),
      seed: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 60, maxLength: 60 }),
      roots: fc.uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
    }),
  );

describe('walkSubjects (generated)', () => {
  it('finds the row-level closure and keeps exactly the referenced subjects', async () => {
    await fc.assert(
      fc.asyncProperty(world, async ({ fks: raw, rows: sizes, seed, roots }) => {
        const fks: ForeignKey[] = raw.map((f, i) => ({
          name: `fk${i}`,
          child: `t${f.child}`,
          columns: [`c${i}`],
          parent: `t${f.parent}`,
          referenced: ['id'],
          onDelete: f.cascade ? 'CASCADE' : 'RESTRICT',
          onUpdate: 'RESTRICT',
        }));
        let s = 0;
        const data: Record<string, Row[]> = {};
        sizes.forEach((size, t) => {
          data[`t${t}`] = Array.from({ length: size }, (_, i) => {
            const row: Row = { id: i + 1 };
            fks.forEach((fk, k) => {
              if (fk.child === `t${t}`) {
                const v = seed[s++ % seed.length]!;
                row[`c${k}`] = v === 0 || v > sizes[Number(fk.parent.slice(1))]! ? null : v;
              }
            });
            return row;
          });
        });
        const rootRows = data.t0!.filter((r) => roots.includes(r.id as number));
        const pk = new Map(sizes.map((_, t) => [`t${t}`, ['id']]));
        const plan = planArchive('t0', fks, pk);
        const source: RowSource = {
          referrers: (fk, parents) => Promise.resolve(data[fk.child]!.filter((r) => parents.some((p) => p.id === r[fk.columns[0]!]))),
        };
        const got = await walkSubjects(plan, pk, rootRows, source);

        // Reference: per root, the naive closure over cascade keys.
        const closure = (root: number) => {
          const set = new Set([`t0:${root}`]);
          for (let grew = true; grew; ) {
            grew = false;
            for (const fk of fks.filter((f) => f.onDelete === 'CASCADE'))
              for (const r of data[fk.child]!)
                if (r[fk.columns[0]!] !== null && set.has(`${fk.parent}:${r[fk.columns[0]!] as number}`) && !set.has(`${fk.child}:${r.id as number}`)) {
                  set.add(`${fk.child}:${r.id as number}`);
                  grew = true;
                }
          }
          return set;
        };
        const subjects = new Map(rootRows.map((r) => [String(r.id as number), closure(r.id as number)]));
        const all = new Set([...subjects.values()].flatMap((x) => [...x]));
        const found = new Set([...got.rows].flatMap(([t, m]) => [...m.keys()].map((k) => `${t}:${k}`)));
        expect([...found].sort()).toEqual([...all].sort());

        // Reference kept set: to a fixpoint, a subject referenced from outside the archived rows, or sharing a row with a kept one.
        const kept = new Set<string>();
        for (let grew = true; grew; ) {
          grew = false;
          const archived = new Set([...subjects].filter(([r]) => !kept.has(r)).flatMap(([, x]) => [...x]));
          for (const [root, rowsOf] of subjects) {
            if (kept.has(root)) continue;
            const blocked = fks
              .filter((f) => f.onDelete !== 'CASCADE')
              .some((fk) => data[fk.child]!.some((r) => r[fk.columns[0]!] !== null && rowsOf.has(`${fk.parent}:${r[fk.columns[0]!] as number}`) && !archived.has(`${fk.child}:${r.id as number}`)));
            const shares = [...subjects].some(([other, x]) => kept.has(other) && [...x].some((row) => rowsOf.has(row)));
            if (blocked || shares) {
              kept.add(root);
              grew = true;
            }
          }
        }
        expect([...got.kept.keys()].sort()).toEqual([...kept].sort());
      }),
      { numRuns: 300 },
    );
  });
});
