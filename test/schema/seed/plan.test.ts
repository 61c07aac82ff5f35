import { describe, expect, it } from 'vitest';
import { countsFor, fanout, fanoutChunks, rootChunks, SeedContext } from '../../../schema/seed/plan.js';
import { planSeed } from '../../../schema/seed/seed.js';
import { SEED_TABLES } from '../../../schema/seed/tables.js';

describe('seed planning (no server)', () => {
  it('scales root tables linearly and keeps at least one row each', () => {
    expect(countsFor(1).contacts).toBe(100_000);
    expect(countsFor(0.01).contacts).toBe(1_000);
    const tiny = countsFor(0.00001);
    expect(Object.values(tiny).every((n) => n >= 1)).toBe(true);
  });

  it('plans 2.5 to 3.5 million rows at scale 1, about 100k contacts', () => {
    const { totals } = planSeed(new SeedContext(1, countsFor(1)), 50_000);
    const rows = [...totals.values()].reduce((a, b) => a + b, 0);
    expect(rows).toBeGreaterThan(2_500_000);
    expect(rows).toBeLessThan(3_500_000);
    expect(totals.get('contacts')).toBe(100_000);
    expect(totals.get('pipeline_stages')).toBe(7);
  });

  it('row counts grow linearly with the scale', () => {
    const total = (scale: number) =>
      [...planSeed(new SeedContext(1, countsFor(scale)), 50_000).totals.values()].reduce((a, b) => a + b, 0);
    const ratio = total(0.2) / total(0.1);
    expect(ratio).toBeGreaterThan(1.9);
    expect(ratio).toBeLessThan(2.1);
  });

  it('root chunks cover ids 1..n exactly once', () => {
    const chunks = rootChunks(10, 4);
    expect(chunks.map((c) => [c.firstId, c.rows])).toEqual([
      [1, 4],
      [5, 4],
      [9, 2],
    ]);
    expect(rootChunks(0, 4)).toEqual([]);
  });

  it('fan-out chunks keep parents whole and child ids consecutive', () => {
    const f = fanout(50, (id) => id % 4);
    const chunks = fanoutChunks(f, 7);
    let nextParent = 1;
    let nextId = 1;
    for (const c of chunks) {
      expect(c.firstId).toBe(nextId);
      let rows = 0;
      for (let p = c.firstParent; p < c.endParent; p++) rows += f.counts[p - 1] ?? 0;
      expect(rows).toBe(c.rows);
      expect(c.firstParent).toBeGreaterThanOrEqual(nextParent);
      nextParent = c.endParent;
      nextId += c.rows;
    }
    expect(nextId - 1).toBe(f.total);
  });

  it('generates the same rows however the tables are chunked', () => {
    const rowsOf = (chunkRows: number) => {
      const ctx = new SeedContext(5, countsFor(0.002));
      const out: Record<string, string> = {};
      for (const t of SEED_TABLES) {
        out[t.table] = t
          .chunks(ctx, chunkRows)
          .flatMap((c) => [...t.rows(ctx, c)].map((r) => JSON.stringify(r)))
          .join('\n');
      }
      return out;
    };
    expect(rowsOf(13)).toEqual(rowsOf(100_000));
  });

  it('every row has one value per column', () => {
    const ctx = new SeedContext(1, countsFor(0.001));
    for (const t of SEED_TABLES) {
      for (const c of t.chunks(ctx, 1_000))
        for (const row of t.rows(ctx, c)) expect(row).toHaveLength(t.columns.length);
    }
  });
});
