/**
 * Records, while a table is dumped, the least and greatest value of its key columns in each chunk
 * (the manifest's `keyRanges`, chunk-key-index.ts). It reads the finished chunk lines: an integer
 * field is plain decimal text or `\N`, a raw tab only separates fields and a raw newline only ends
 * a line (both are escaped inside values), so finding a field is two `indexOf`s (memchr).
 */

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

/** Per-chunk ranges of some integer fields of the chunk lines, fed block by block. */
export class ChunkKeyRanges {
  private lo: (number | bigint | undefined)[];
  private hi: (number | bigint | undefined)[];
  private readonly last: number;

  /** @param fields the positions (0-based) of the indexed columns in each line, ascending */
  constructor(private readonly fields: readonly number[]) {
    this.lo = fields.map(() => undefined);
    this.hi = fields.map(() => undefined);
    this.last = fields.length ? fields[fields.length - 1]! : -1;
  }

  /** Takes in whole lines of the current chunk. */
  add(bytes: Buffer): void {
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
  }

  private note(k: number, bytes: Buffer, start: number, stop: number): void {
    if (stop - start === 2 && bytes[start] === 0x5c && bytes[start + 1] === 0x4e) return; // \N
    // Up to 15 digits a double is exact; past that BigInt. JS compares number and bigint exactly.
    const v = stop - start <= 15 ? smallInteger(bytes, start, stop) : BigInt(bytes.toString('latin1', start, stop));
    const lo = this.lo[k];
    if (lo === undefined || v < lo) this.lo[k] = v;
    const hi = this.hi[k];
    if (hi === undefined || v > hi) this.hi[k] = v;
  }

  /** The ranges of the chunk just finished (null: no non-NULL value), and a fresh start for the next. */
  take(): ([string, string] | null)[] {
    const out = this.fields.map((_, k) => (this.lo[k] === undefined ? null : ([String(this.lo[k]), String(this.hi[k])] as [string, string])));
    this.lo = this.fields.map(() => undefined);
    this.hi = this.fields.map(() => undefined);
    return out;
  }
}
