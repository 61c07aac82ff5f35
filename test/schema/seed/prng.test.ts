import { describe, expect, it } from 'vitest';
import { mixHash, Rng, saltOf, streamFor } from '../../../schema/seed/prng.js';

const take = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

describe('Rng (mulberry32)', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(take(new Rng(42), 20)).toEqual(take(new Rng(42), 20));
  });

  it('gives a different sequence for a different seed', () => {
    expect(take(new Rng(42), 5)).not.toEqual(take(new Rng(43), 5));
  });

  it('stays in [0, 1) and spreads evenly', () => {
    const values = take(new Rng(7), 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('int, between and pick stay in range and reach both ends', () => {
    const rng = new Rng(1);
    const ints = new Set<number>();
    const betweens = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      ints.add(rng.int(5));
      betweens.add(rng.between(3, 6));
    }
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...betweens].sort()).toEqual([3, 4, 5, 6]);
    expect(['a', 'b']).toContain(rng.pick(['a', 'b']));
  });

  it('weighted follows the weights', () => {
    const rng = new Rng(9);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) {
      if (
        rng.weighted([
          ['heavy', 3],
          ['light', 1],
        ]) === 'heavy'
      )
        heavy++;
    }
    expect(heavy / 10_000).toBeGreaterThan(0.72);
    expect(heavy / 10_000).toBeLessThan(0.78);
  });
});

describe('stream derivation', () => {
  it('saltOf is FNV-1a', () => {
    expect(saltOf('')).toBe(0x811c9dc5);
    expect(saltOf('a')).toBe(0xe40c292c);
  });

  it('streams for (seed, salt, id) are stable and independent', () => {
    const salt = saltOf('contacts');
    expect(take(streamFor(1, salt, 10), 3)).toEqual(take(streamFor(1, salt, 10), 3));
    expect(streamFor(1, salt, 10).next()).not.toBe(streamFor(1, salt, 11).next());
    expect(streamFor(1, salt, 10).next()).not.toBe(streamFor(2, salt, 10).next());
    expect(streamFor(1, salt, 10).next()).not.toBe(streamFor(1, saltOf('users'), 10).next());
  });

  it('ids above 2^32 keep their high part', () => {
    expect(mixHash(5, 2 ** 32 + 3)).not.toBe(mixHash(5, 3));
  });

  it('first draws of neighbouring ids are spread out', () => {
    const salt = saltOf('t');
    const firsts = Array.from({ length: 1_000 }, (_, i) => streamFor(1, salt, i + 1).int(10));
    const counts = new Array<number>(10).fill(0);
    for (const f of firsts) counts[f] = (counts[f] ?? 0) + 1;
    for (const c of counts) expect(c).toBeGreaterThan(60);
  });
});
