/**
 * How many rows each table gets for a scale, and how tables split into chunks. Pure: no I/O.
 *
 * Child tables "fan out" from a parent: each parent id gets a deterministic number of children
 * and children get consecutive ids, so a chunk is a range of parents plus the id of its first
 * child, and any chunk can be generated alone, on any connection, in any order.
 */
import { type Rng, streamFor } from './prng.js';

/** Row counts of the root tables; child tables follow from these. */
export interface SeedCounts {
  users: number;
  organizations: number;
  contacts: number;
  catalogItems: number;
  triggers: number;
}

/** Scale 1: about 100,000 contacts and 3 million rows in all. */
export const SCALE_ONE: Readonly<SeedCounts> = {
  users: 200,
  organizations: 20_000,
  contacts: 100_000,
  catalogItems: 1_000,
  triggers: 50,
};

/** Scales every root table linearly, keeping at least one row in each. */
export function countsFor(scale: number): SeedCounts {
  const scaled = (base: number) => Math.max(1, Math.round(base * scale));
  return {
    users: scaled(SCALE_ONE.users),
    organizations: scaled(SCALE_ONE.organizations),
    contacts: scaled(SCALE_ONE.contacts),
    catalogItems: scaled(SCALE_ONE.catalogItems),
    triggers: scaled(SCALE_ONE.triggers),
  };
}

/** Children per parent: `counts[parentId - 1]` (at most 255), and their sum. */
export interface Fanout {
  parents: number;
  counts: Uint8Array;
  total: number;
}

/** Computes a fan-out from a per-parent count function. */
export function fanout(parents: number, countOf: (parentId: number) => number): Fanout {
  const counts = new Uint8Array(parents);
  let total = 0;
  for (let id = 1; id <= parents; id++) {
    const n = countOf(id);
    counts[id - 1] = n;
    total += n;
  }
  return { parents, counts, total };
}

/** One unit of loading: parents [firstParent, endParent) whose children start at firstId. */
export interface ChunkRange {
  index: number;
  firstParent: number;
  endParent: number;
  firstId: number;
  rows: number;
}

/** Chunks of a root table with ids 1..rows. */
export function rootChunks(rows: number, chunkRows: number): ChunkRange[] {
  const chunks: ChunkRange[] = [];
  for (let first = 1; first <= rows; first += chunkRows) {
    const n = Math.min(chunkRows, rows - first + 1);
    chunks.push({ index: chunks.length, firstParent: first, endParent: first + n, firstId: first, rows: n });
  }
  return chunks;
}

/** Chunks of a child table: whole parents, about `chunkRows` children each. */
export function fanoutChunks(f: Fanout, chunkRows: number): ChunkRange[] {
  const chunks: ChunkRange[] = [];
  let firstParent = 1;
  let firstId = 1;
  let rows = 0;
  for (let id = 1; id <= f.parents; id++) {
    rows += f.counts[id - 1] ?? 0;
    if (rows >= chunkRows || id === f.parents) {
      if (rows > 0) chunks.push({ index: chunks.length, firstParent, endParent: id + 1, firstId, rows });
      firstParent = id + 1;
      firstId += rows;
      rows = 0;
    }
  }
  return chunks;
}

/** What every generator receives: the seed, the root counts and memoised fan-outs. */
export class SeedContext {
  private readonly fanouts = new Map<string, Fanout>();

  constructor(
    readonly seed: number,
    readonly counts: SeedCounts,
  ) {}

  /** The independent random stream of one row or attribute. */
  stream(salt: number, id: number): Rng {
    return streamFor(this.seed, salt, id);
  }

  /** A fan-out computed once per run and shared by the tables that need it. */
  fanout(key: string, parents: number, countOf: (parentId: number) => number): Fanout {
    let f = this.fanouts.get(key);
    if (!f) {
      f = fanout(parents, countOf);
      this.fanouts.set(key, f);
    }
    return f;
  }
}
