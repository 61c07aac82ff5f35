/**
 * Writes backup chunk lines straight from the bytes of MySQL text-protocol rows, without making
 * a JS value per field: each row is a run of length-encoded strings (0xFB alone is NULL), and
 * each field is copied with the escaping of row-codec.ts (`\N`, `\\`, `\t`, `\n`, `\r`, `\0`) or,
 * for binary columns, as upper-case hex. Text arrives in the session's character set (utf8mb4)
 * and is copied as bytes, so nothing goes through a JS string. Building a JS value per field was
 * the limit of a backup (about 3x mydumper's time); this is exactly the line `encodeRow` writes.
 * Pure: the caller feeds rows and takes the finished blocks.
 */
import type { RawRowSink } from '../../src/db/connection.js';
import { InternalError } from '../../src/errors.js';

/**
 * A row that does not parse as the result set's columns: the rows come from the server for a
 * SELECT of exactly these columns, so only a bug (here or in reading the protocol) gets here.
 */
const bad = (message: string) => new InternalError('TsvBlockEncoder', message);

const BACKSLASH = 0x5c;
const NULL_FIELD = 0xfb;
/** Byte to write after a backslash for the bytes that need escaping, 0 for the others. */
const ESCAPE = new Uint8Array(256);
ESCAPE[0x5c] = 0x5c;
ESCAPE[0x09] = 0x74; // t
ESCAPE[0x0a] = 0x6e; // n
ESCAPE[0x0d] = 0x72; // r
ESCAPE[0x00] = 0x30; // 0
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
/**
 * Room past `blockSize` for the row that fills a block (a longer one seals the block early). Was
 * another whole block: every sealed block kept twice its bytes allocated, which doubled the
 * buffer memory a backup churned through (and the garbage collections it cost).
 */
const SLACK = 64 * 1024;

/** Finished lines of one part (chunk file) of the output. */
export interface TsvBlock {
  part: number;
  bytes: Buffer;
  /** Whole rows in `bytes`. */
  rows: number;
}

/**
 * A RawRowSink that writes the server's text-protocol rows as chunk lines (see the file header), in
 * blocks of about `blockSize` bytes; every `rowsPerPart` rows a new part, that is a new chunk file,
 * begins.
 */
export class TsvBlockEncoder implements RawRowSink<TsvBlock> {
  /** Rows encoded so far. */
  rows = 0;
  /** Bytes of finished lines so far. */
  bytes = 0;
  private buf: Buffer;
  private pos = 0;
  private part = 0;
  private rowsInBlock = 0;
  private rowsInPart = 0;
  private readonly sealed: TsvBlock[] = [];

  /**
   * @param hex which result columns are binary (written as hex)
   * @param options `rowsPerPart`: rows of a part before the next begins (one part when absent);
   *   `blockSize`: how many bytes a finished block holds, about
   */
  constructor(
    private readonly hex: readonly boolean[],
    options: { rowsPerPart?: number; blockSize?: number } = {},
  ) {
    this.blockSize = options.blockSize ?? 256 * 1024;
    this.rowsPerPart = options.rowsPerPart ?? Number.POSITIVE_INFINITY;
    this.buf = Buffer.allocUnsafe(this.blockSize + SLACK);
  }

  private readonly blockSize: number;
  private readonly rowsPerPart: number;

  row(src: Uint8Array, start: number, end: number): boolean {
    // Every payload byte becomes at most two output bytes; separators and the newline add one per column.
    const worst = 2 * (end - start) + this.hex.length + 1;
    if (this.rowsInPart === this.rowsPerPart) {
      // A part ends on a whole row: its last block is sealed and the next row starts a new part.
      this.seal(worst);
      this.part++;
      this.rowsInPart = 0;
    } else if (this.pos + worst > this.buf.length) this.seal(worst);
    const out = this.buf;
    let pos = this.pos;
    let p = start;
    for (let col = 0; col < this.hex.length; col++) {
      if (col > 0) out[pos++] = 0x09;
      if (p >= end) throw bad(`row ${this.rows + 1} has ${col} fields, expected ${this.hex.length}`);
      const first = src[p]!;
      if (first === NULL_FIELD) {
        out[pos++] = BACKSLASH;
        out[pos++] = 0x4e; // N
        p++;
        continue;
      }
      let len: number;
      if (first < 0xfb) {
        len = first;
        p += 1;
      } else if (first === 0xfc) {
        len = src[p + 1]! | (src[p + 2]! << 8);
        p += 3;
      } else if (first === 0xfd) {
        len = src[p + 1]! | (src[p + 2]! << 8) | (src[p + 3]! << 16);
        p += 4;
      } else if (first === 0xfe) {
        const low = (src[p + 1]! | (src[p + 2]! << 8) | (src[p + 3]! << 16)) + src[p + 4]! * 0x1000000;
        const high = (src[p + 5]! | (src[p + 6]! << 8) | (src[p + 7]! << 16)) + src[p + 8]! * 0x1000000;
        len = low + high * 0x100000000;
        p += 9;
      } else {
        throw bad(`row ${this.rows + 1}: bad length byte 0x${first.toString(16)} in column ${col + 1}`);
      }
      const stop = p + len;
      if (stop > end) throw bad(`row ${this.rows + 1}: column ${col + 1} runs past the end of the row`);
      if (this.hex[col]) {
        for (; p < stop; p++) {
          const b = src[p]!;
          out[pos++] = HEX[b >> 4]!;
          out[pos++] = HEX[b & 15]!;
        }
      } else {
        for (; p < stop; p++) {
          const b = src[p]!;
          const e = ESCAPE[b]!;
          if (e === 0 && b !== 0) out[pos++] = b;
          else {
            out[pos++] = BACKSLASH;
            out[pos++] = b === 0 ? 0x30 : e;
          }
        }
      }
    }
    if (p !== end) throw bad(`row ${this.rows + 1} has more than ${this.hex.length} fields`);
    out[pos++] = 0x0a;
    this.bytes += pos - this.pos;
    this.pos = pos;
    this.rows++;
    this.rowsInBlock++;
    this.rowsInPart++;
    return this.sealed.length > 0 || this.pos >= this.blockSize;
  }

  /** The finished blocks, in order; with `final`, also what is left. */
  take(final = false): TsvBlock[] {
    if (this.pos >= this.blockSize || (final && this.pos > 0)) this.seal(0);
    return this.sealed.splice(0);
  }

  private seal(need: number): void {
    if (this.pos > 0) this.sealed.push({ part: this.part, bytes: this.buf.subarray(0, this.pos), rows: this.rowsInBlock });
    this.rowsInBlock = 0;
    // A new buffer each time: the sealed block is handed on and must not be overwritten.
    this.buf = Buffer.allocUnsafe(Math.max(this.blockSize + SLACK, need));
    this.pos = 0;
  }
}
