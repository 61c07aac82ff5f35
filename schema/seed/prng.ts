/**
 * A small seeded PRNG (mulberry32) and the hashing that derives independent streams from
 * (seed, salt, id). Every generated value comes from such a stream, never from Math.random or
 * the clock, so the same seed gives the same rows however the work is chunked or parallelised.
 */

/** MurmurHash3's 32-bit finalizer: a cheap, well-mixing bijection on 32-bit integers. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines a 32-bit hash with one more integer (ids above 2^32 keep their high part). */
export function mixHash(hash: number, value: number): number {
  const low = value >>> 0;
  const high = Math.floor(value / 4294967296) >>> 0;
  let h = fmix32((hash ^ low) + 0x9e3779b9);
  if (high !== 0) h = fmix32((h ^ high) + 0x9e3779b9);
  return h;
}

/** FNV-1a of a string: turns a table or attribute name into a salt. */
export function saltOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: 32 bits of state, fast, and good enough for sample data (not for secrets). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One element chosen by weight: `weighted([['a', 3], ['b', 1]])` gives 'a' 75% of the time. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let r = this.next() * total;
    for (const [value, w] of choices) {
      r -= w;
      if (r < 0) return value;
    }
    return (choices[choices.length - 1] as readonly [T, number])[0];
  }
}

/** The stream for one row or attribute: independent of every other (seed, salt, id). */
export function streamFor(seed: number, salt: number, id: number): Rng {
  return new Rng(mixHash(mixHash(seed >>> 0, salt), id));
}
