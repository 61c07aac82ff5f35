/**
 * Records, while a table is dumped, the least and greatest value of its key columns in each chunk
 * (the manifest's `keyRanges`, chunk-key-index.ts), and, for an uncompressed chunk (plain, or
 * encrypted in independently authenticated segments), the same per block of lines with the
 * block's size and SHA-256 (`blocks`): a merge restore then reads only the blocks that can hold
 * its rows, each checked against its own hash, instead of the whole chunk. It reads the finished chunk lines: an
 * integer field is plain decimal text or `\N`, a raw tab only separates fields and a raw newline
 * only ends a line (both are escaped inside values), so finding a field is two `indexOf`s (memchr).
 */
import { createHash } from 'node:crypto';
import type { ChunkBlock } from '../format/manifest.js';

/**
 * `Number(text)` of a short integer field, read from the bytes without making a string (one per
 * row and key column was most of this file's cost in a backup); anything but digits after an
 * optional minus goes through `Number` as before.
 */
function smallInteger(bytes: Buffer, start: number, stop: number): number {
  const negative = bytes[start] === 0x2d;
  let n = 0;
  for (let i = negative ? start + 1 : start; i < stop; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) return Number(bytes.toString('latin1', start, stop));
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

type Bound = number | bigint | undefined;
const text = (lo: Bound[], hi: Bound[]) => lo.map((l, k) => (l === undefined ? null : ([String(l), String(hi[k])] as [string, string])));

/** Per-chunk (and per-block) ranges of some integer fields of the chunk lines, fed block by block. */
export class ChunkKeyRanges {
  private lo: Bound[];
  private hi: Bound[];
  private blo: Bound[];
  private bhi: Bound[];
  private blocks: ChunkBlock[] = [];
  private readonly last: number;

  /**
   * @param fields the positions (0-based) of the indexed columns in each line, ascending
   * @param withBlocks record each `add`ed block too (only where a reader can start at any byte of the lines)
   */
  constructor(
    private readonly fields: readonly number[],
    private readonly withBlocks = false,
  ) {
    this.lo = fields.map(() => undefined);
    this.hi = fields.map(() => undefined);
    this.blo = fields.map(() => undefined);
    this.bhi = fields.map(() => undefined);
    this.last = fields.length ? fields[fields.length - 1]! : -1;
  }

  /** Takes in whole lines of the current chunk: one block of it, `rows` lines. */
  add(bytes: Buffer, rows = 0): void {
    let pos = 0;
    while (pos < bytes.length) {
      let end = bytes.indexOf(0x0a, pos);
      if (end < 0) end = bytes.length;
      let start = pos;
      let k = 0;
      for (let f = 0; f <= this.last && start <= end; f++) {
        let stop = bytes.indexOf(0x09, start);
        if (stop < 0 || stop > end) stop = end;
        if (f === this.fields[k]) {
          this.note(k, bytes, start, stop);
          k++;
        }
        start = stop + 1;
      }
      pos = end + 1;
    }
    for (let k = 0; k < this.fields.length; k++) {
      const l = this.blo[k];
      const h = this.bhi[k];
      if (l === undefined || h === undefined) continue;
      const lo = this.lo[k];
      if (lo === undefined || l < lo) this.lo[k] = l;
      const hi = this.hi[k];
      if (hi === undefined || h > hi) this.hi[k] = h;
    }
    if (this.withBlocks && bytes.length > 0)
      this.blocks.push({ rows, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), keyRanges: text(this.blo, this.bhi) });
    this.blo = this.fields.map(() => undefined);
    this.bhi = this.fields.map(() => undefined);
  }

  private note(k: number, bytes: Buffer, start: number, stop: number): void {
    if (stop - start === 2 && bytes[start] === 0x5c && bytes[start + 1] === 0x4e) return; // \N
    // Up to 15 digits a double is exact; past that BigInt. JS compares number and bigint exactly.
    const v = stop - start <= 15 ? smallInteger(bytes, start, stop) : BigInt(bytes.toString('latin1', start, stop));
    const lo = this.blo[k];
    if (lo === undefined || v < lo) this.blo[k] = v;
    const hi = this.bhi[k];
    if (hi === undefined || v > hi) this.bhi[k] = v;
  }

  /** The ranges of the chunk just finished (null: no non-NULL value), and a fresh start for the next. */
  take(): ([string, string] | null)[] {
    const out = text(this.lo, this.hi);
    this.lo = this.fields.map(() => undefined);
    this.hi = this.fields.map(() => undefined);
    return out;
  }

  /**
   * The blocks of the chunk just finished, as the manifest records them: none when not recorded or
   * when the chunk is one block (its own hash and ranges say as much); a fresh start for the next.
   */
  takeBlocks(): { blocks?: ChunkBlock[] } {
    const out = this.blocks;
    this.blocks = [];
    return out.length > 1 ? { blocks: out } : {};
  }
}
