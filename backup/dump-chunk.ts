import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { SqlConnection } from '../src/db/connection.js';
import { encodeField, encodeRow } from './row-codec.js';

export interface ChunkResult {
  rows: number;
  /** Bytes of the file as written (after compression). */
  bytes: number;
  /** SHA-256 of the file as written. */
  sha256: string;
  /** Bytes before compression, for throughput figures. */
  rawBytes: number;
}

/** Builds a line from segmented results: joined parts as they are, text escaped. */
export function joinParts(row: readonly unknown[], parts: readonly ('joined' | 'text')[]): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) line += '\t';
    const v = row[i];
    if (parts[i] === 'joined') line += Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    else line += encodeField(v, false);
  }
  return `${line}\n`;
}

const FLUSH_AT = 256 * 1024;

/**
 * Streams one chunk's rows into a file: encoded lines gathered in ~256 KB blocks, optionally
 * gzipped, hashed as written. Memory stays bounded whatever the table size. With `hex` the
 * row's columns are encoded here; otherwise the query is segmented (encode-sql.ts) and `parts`
 * says which result columns are pre-joined by the server.
 */
export async function dumpChunk(
  conn: SqlConnection,
  sql: string,
  hex: readonly boolean[] | null,
  path: string,
  options: { gzip: boolean; parts?: readonly ('joined' | 'text')[]; onBytes?: (n: number) => void },
): Promise<ChunkResult> {
  const parts = options.parts;
  let rows = 0;
  let rawBytes = 0;
  async function* lines(): AsyncGenerator<Buffer> {
    let block = '';
    // Segmented queries return only strings (binary columns arrive as hex), so mysql2's plain text
    // decoding is exact there and cheaper than a per-field typeCast.
    for await (const row of conn.stream(sql, [], { raw: hex !== null })) {
      if (hex) block += encodeRow(row, hex);
      else block += joinParts(row, parts!);
      rows++;
      if (block.length >= FLUSH_AT) {
        const buf = Buffer.from(block, 'utf8');
        rawBytes += buf.length;
        options.onBytes?.(buf.length);
        yield buf;
        block = '';
      }
    }
    if (block) {
      const buf = Buffer.from(block, 'utf8');
      rawBytes += buf.length;
      options.onBytes?.(buf.length);
      yield buf;
    }
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  if (options.gzip) await pipeline(lines(), createGzip({ level: 1 }), tap, out);
  else await pipeline(lines(), tap, out);
  return { rows, bytes, sha256: hash.digest('hex'), rawBytes };
}
