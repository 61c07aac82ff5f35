/**
 * The rows a merge loads from a chunk it reads: a chunk holds many rows (100,000 by default) and
 * the merge wants a few, so its lines are filtered on the way to LOAD DATA by the integer key
 * fields that choose the rows (the filter's values on the root table, the marked parent keys on a
 * dependent). A line is dropped only when an exact integer comparison proves no row it holds can be
 * marked; anything else (a field that is not an integer, a condition on another column) keeps it,
 * and the server's marking decides, exactly as when every row is loaded. In chunk lines an integer
 * is plain decimal text or `\N` (NULL, which references nothing), a raw tab only separates fields
 * and a raw newline only ends a line.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { BackupError } from '../../src/errors.js';

/** A test of one field's text (the bytes between two tabs), on a line of the chunk. */
export interface FieldTest {
  field: number;
  test: (text: string) => boolean;
}

/** Keeps a line when every test of one of the alternatives passes; no alternatives: every line. */
export type LineMatch = readonly (readonly FieldTest[])[] | undefined;

/** The exact value of an integer field as canonical decimal text; undefined for NULL or a non-integer. */
export function integerText(text: string): string | undefined {
  if (/^(0|-?[1-9]\d{0,19})$/.test(text)) return text;
  return /^-?\d{1,20}$/.test(text) ? BigInt(text).toString() : undefined;
}

/** A test passing integer texts in `values` (canonical decimal); a field that is not an integer passes unless it is NULL. */
export function inSet(field: number, values: ReadonlySet<string>): FieldTest {
  return { field, test: (t) => (t === '\\N' ? false : integerText(t) === undefined || values.has(integerText(t)!)) };
}

/** A test passing integers within [lo, hi]; a field that is not an integer passes unless it is NULL. */
export function inRange(field: number, lo: bigint, hi: bigint): FieldTest {
  return {
    field,
    test: (t) => {
      if (t === '\\N') return false;
      const v = integerText(t);
      return v === undefined || (BigInt(v) >= lo && BigInt(v) <= hi);
    },
  };
}

function fieldOf(line: Buffer, field: number): string {
  let start = 0;
  for (let f = 0; f < field; f++) {
    const tab = line.indexOf(0x09, start);
    if (tab < 0) return '';
    start = tab + 1;
  }
  let end = line.indexOf(0x09, start);
  if (end < 0) end = line.length;
  if (end > start && line[end - 1] === 0x0a) end--;
  return line.toString('latin1', start, end);
}

/** True when `line` passes `match`. */
export function lineMatches(line: Buffer, match: LineMatch): boolean {
  if (!match) return true;
  return match.some((tests) => tests.every((t) => t.test(fieldOf(line, t.field))));
}

/**
 * Passes on the lines that match; counts every line seen and every line kept, and fails once more
 * than `limit` bytes came in (the chunk's recorded size of lines: a decompression bomb stops here).
 */
export class LineFilter extends Transform {
  seen = 0;
  kept = 0;
  private bytes = 0;
  private rest: Buffer | undefined;

  constructor(
    private readonly match: LineMatch,
    private readonly limit: number | undefined,
    private readonly file: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.limit !== undefined && this.bytes > this.limit)
      return cb(new BackupError(this.file, `expands past the ${this.limit} bytes of lines its manifest records: refused (damaged, or a decompression bomb)`));
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: Buffer[] = [];
    let pos = 0;
    for (let nl = buf.indexOf(0x0a, pos); nl >= 0; nl = buf.indexOf(0x0a, pos)) {
      const line = buf.subarray(pos, nl + 1);
      this.seen++;
      if (lineMatches(line, this.match)) {
        out.push(line);
        this.kept++;
      }
      pos = nl + 1;
    }
    this.rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
    cb(null, out.length ? Buffer.concat(out) : undefined);
  }

  override _flush(cb: TransformCallback): void {
    // Every line a dump writes ends with a newline: bytes after the last one are a damaged chunk.
    if (this.rest) return cb(new BackupError(this.file, 'ends inside a line: damaged'));
    cb();
  }
}
