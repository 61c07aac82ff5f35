/**
 * The sizes of the frames of a zstd file, read from their headers (RFC 8878, section 3.1.1):
 * magic, frame header (descriptor, window, dictionary ID, content size), blocks each with a 3-byte
 * header saying its size and whether it is the last, then an optional 4-byte checksum. Used to
 * record where each block's frame lies in a chunk written by the `zstd` command, which writes one
 * frame per input file.
 */
import type { ReadAt } from './chunk-cipher.js';

const MAGIC = 0xfd2fb528;
/** Skippable frames (magic 0x184D2A5?) carry no data; zstd writes none, and they are refused here. */
const DICT_BYTES = [0, 1, 2, 4];

/** Frame sizes in order, covering `size` bytes exactly; throws (with `what`) when the file is not that. */
export async function zstdFrameSizes(readAt: ReadAt, size: number, what: string): Promise<number[]> {
  const sizes: number[] = [];
  const bad = (why: string) => new Error(`${what}: not a zstd file of whole frames (${why})`);
  for (let at = 0; at < size; ) {
    const head = await readAt(at, 6);
    if (head.length < 6 || head.readUInt32LE(0) !== MAGIC) throw bad(`no frame magic at ${at}`);
    const d = head[4]!;
    const single = (d & 0x20) !== 0;
    const fcsFlag = d >> 6;
    const fcs = fcsFlag === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
    let pos = at + 5 + (single ? 0 : 1) + DICT_BYTES[d & 3]! + fcs;
    for (;;) {
      const bh = await readAt(pos, 3);
      if (bh.length < 3) throw bad(`frame at ${at} is cut short`);
      const h = bh[0]! | (bh[1]! << 8) | (bh[2]! << 16);
      const type = (h >> 1) & 3;
      if (type === 3) throw bad(`reserved block type at ${pos}`);
      pos += 3 + (type === 1 ? 1 : h >>> 3);
      if (h & 1) break;
    }
    if (d & 4) pos += 4;
    if (pos > size) throw bad(`frame at ${at} runs past the end`);
    sizes.push(pos - at);
    at = pos;
  }
  return sizes;
}
