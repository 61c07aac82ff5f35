/**
 * The row-packet shortcut of raw streams (row-packet-shortcut.ts): rows that skip mysql2's
 * per-packet dispatch arrive exactly, in order, across socket chunks and pauses; the session works
 * normally afterwards; a sink error still surfaces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawRowSink, SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { installRowShortcut } from '../../../src/db/row-packet-shortcut.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;
const ROWS = 6000;

/** Sizes from empty to 300 kB (beyond a 64 kB socket read), NULLs, and 0xFE/0xFF (packet markers) first. */
function payloadOf(id: number): Buffer | null {
  if (id % 97 === 0) return null;
  if (id % 1000 === 1) return Buffer.alloc(300_000, Buffer.from([0xfe, 0xff, 0x00]));
  return Buffer.concat([Buffer.from([id % 2 ? 0xff : 0xfe]), Buffer.alloc(id % 700, id % 256)]);
}

beforeAll(async () => {
  db = await createTestDatabase('row_shortcut');
  conn = await db.connector.connect();
  const t = qualify(db.database, 'r');
  await conn.execute(`CREATE TABLE ${t} (id INT PRIMARY KEY, payload LONGBLOB NULL) ENGINE=MyISAM`);
  for (let from = 1; from <= ROWS; from += 500) {
    const rows = Array.from({ length: 500 }, (_, i) => from + i);
    await conn.execute(`INSERT INTO ${t} VALUES ${rows.map(() => '(?, ?)').join(', ')}`, rows.flatMap((id) => [id, payloadOf(id)]));
  }
});
afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

/** Reads the two fields (id as text, payload as hex or null) of each row's wire bytes. */
function readFields(src: Uint8Array, start: number): [string, string | null] {
  const out: (string | null)[] = [];
  let p = start;
  for (let i = 0; i < 2; i++) {
    const first = src[p]!;
    if (first === 0xfb) {
      out.push(null);
      p++;
      continue;
    }
    let len = first;
    if (first === 0xfc) len = src[p + 1]! | (src[p + 2]! << 8);
    else if (first === 0xfd) len = src[p + 1]! | (src[p + 2]! << 8) | (src[p + 3]! << 16);
    p += first < 0xfb ? 1 : first === 0xfc ? 3 : 4;
    const bytes = Buffer.from(src.subarray(p, p + len));
    out.push(i === 0 ? bytes.toString('latin1') : bytes.toString('hex').toUpperCase());
    p += len;
  }
  return [out[0]!, out[1] ?? null];
}

/** A sink that keeps every row and hands out a block (one row count) every `every` rows. */
function collecting(every: number, failAt?: number): RawRowSink<number> & { rows: [string, string | null][] } {
  let pending = 0;
  const rows: [string, string | null][] = [];
  return {
    rows,
    row(src, start) {
      if (rows.length + 1 === failAt) throw new Error('sink failed');
      rows.push(readFields(src, start));
      return ++pending >= every;
    },
    take() {
      const n = pending;
      pending = 0;
      return n > 0 ? [n] : [];
    },
  };
}

const expected = async () =>
  (await conn.query<{ id: number; h: string | null }>(`SELECT id, HEX(payload) AS h FROM ${qualify(db.database, 'r')}`)).map((r) => [String(r.id), r.h]);

describe('row-packet shortcut', () => {
  it('delivers every row exactly and in order, with a slow consumer that makes the socket pause', async () => {
    const sink = collecting(25);
    let blocks = 0;
    for await (const n of conn.streamRaw(`SELECT id, payload FROM ${qualify(db.database, 'r')}`, sink)) {
      blocks += n;
      if (blocks % 500 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    expect(blocks).toBe(ROWS);
    expect(sink.rows).toEqual(await expected());
    // The shortcut is gone and the sequence is right: the session runs the next queries as usual.
    expect(Number((await conn.query<{ n: number | string }>('SELECT 41 + 1 AS n'))[0]!.n)).toBe(42);
    const again = collecting(1000);
    for await (const n of conn.streamRaw(`SELECT id, payload FROM ${qualify(db.database, 'r')} WHERE id <= 10`, again)) expect(n).toBeGreaterThan(0);
    expect(again.rows).toEqual((await expected()).slice(0, 10));
  });

  it('surfaces a sink error that happens on the shortcut', async () => {
    // Its own session: one left with rows on the wire is destroyed (raw-row-stream.ts).
    const own = await db.connector.connect();
    try {
      const sink = collecting(25, 3000);
      const consume = async () => {
        for await (const n of own.streamRaw(`SELECT id, payload FROM ${qualify(db.database, 'r')}`, sink)) expect(n).toBeGreaterThan(0);
      };
      await expect(consume()).rejects.toThrow('sink failed');
      expect(sink.rows).toEqual((await expected()).slice(0, 2999));
    } finally {
      await own.close();
    }
  });

  it('is not installed on a connection it does not know, nor on a compressed one', () => {
    expect(installRowShortcut({}, () => {})).toBeUndefined();
    const parser = { onPacket: () => {} };
    expect(installRowShortcut({ packetParser: parser, sequenceId: 0, config: { compress: true } }, () => {})).toBeUndefined();
    expect(parser.onPacket).toBeTypeOf('function');
  });

  it('hands rows on, and gives anything else (and everything after it) back to mysql2', () => {
    const seen: string[] = [];
    const original = (p: { buffer: Buffer }) => seen.push(`mysql2:${p.buffer[4]!.toString(16)}`);
    const host = { packetParser: { onPacket: original as (p: never) => void }, sequenceId: 3, config: {} };
    const remove = installRowShortcut(host, (src, start) => seen.push(`row:${src[start]!.toString(16)}`))!;
    const packet = (seq: number, first: number) => ({ sequenceId: seq, numPackets: 1, buffer: Buffer.from([1, 0, 0, seq, first]), offset: 4, end: 5 });
    const on = () => host.packetParser.onPacket as unknown as (p: ReturnType<typeof packet>) => void;
    on()(packet(3, 0x01));
    on()(packet(4, 0x02));
    expect(host.sequenceId).toBe(5);
    on()(packet(5, 0xfe)); // EOF: back to mysql2, shortcut removed
    on()(packet(6, 0x03));
    expect(seen).toEqual(['row:1', 'row:2', 'mysql2:fe', 'mysql2:3']);
    expect(host.packetParser.onPacket).toBe(original);
    remove();
    expect(host.packetParser.onPacket).toBe(original);
  });
});
