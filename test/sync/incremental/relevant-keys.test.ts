/**
 * The keys a report must see, on the test server, against a model in the test: a key is relevant
 * when its old or new row is missing, or when a column the reports read differs in any way (case
 * only, NULL against a value); a change of an unread column alone is not.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import { fillRelevantKeys } from '../../../sync/incremental/relevant-keys.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;

beforeAll(async () => {
  db = await createTestDatabase('relevant_keys');
  conn = await db.connector.connect();
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

const column = (name: string, dataType: string) => ({ name, dataType, columnType: dataType, nullable: true, generated: false });
const meta: TableMeta = {
  name: 't',
  engine: 'MyISAM',
  columns: [column('k', 'varchar'), column('s', 'varchar'), column('f', 'float'), column('n', 'int'), column('u', 'int')],
  primaryKey: ['k'],
  estimatedRows: 0,
  dataBytes: 0,
};
/** s, f and n are read by reports; u is not. */
type Row = { k: string; s: string | null; f: number | null; n: number | null; u: number };

async function fill(name: string, rows: readonly Row[]): Promise<void> {
  await conn.execute(`DROP TABLE IF EXISTS ${name}`);
  await conn.execute(
    `CREATE TABLE ${name} (k VARCHAR(8) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY, s VARCHAR(8) COLLATE utf8mb4_unicode_ci NULL, f FLOAT NULL, n INT NULL, u INT NOT NULL) ENGINE=MyISAM`,
  );
  for (const r of rows) await conn.execute(`INSERT INTO ${name} VALUES (?, ?, ?, ?, ?)`, [r.k, r.s, r.f, r.n, r.u]);
}

async function relevant(old: readonly Row[], now: readonly Row[], keys: readonly string[], columns = ['s', 'f', 'n']): Promise<string[]> {
  await fill('__dp_shadow_t', old);
  await fill('stage', now);
  await conn.execute('DROP TABLE IF EXISTS keyset');
  await conn.execute('CREATE TABLE keyset (k VARCHAR(8) COLLATE utf8mb4_unicode_ci NOT NULL PRIMARY KEY) ENGINE=MyISAM');
  for (const k of keys) await conn.execute('INSERT IGNORE INTO keyset VALUES (?)', [k]);
  const n = await fillRelevantKeys(conn, { work: db.target.database, meta, keys: 'keyset', old: '__dp_shadow_t', stage: 'stage', into: 'rel', columns });
  const got = (await conn.query<{ k: string }>('SELECT k FROM rel ORDER BY k')).map((r) => r.k);
  expect(got).toHaveLength(n);
  return got;
}

/** The model: missing on either side, or any read column not identical. */
function model(old: readonly Row[], now: readonly Row[], keys: readonly string[]): string[] {
  const o = new Map(old.map((r) => [r.k, r]));
  const n = new Map(now.map((r) => [r.k, r]));
  return [...new Set(keys)].filter((k) => {
    const [a, b] = [o.get(k), n.get(k)];
    return !a || !b || a.s !== b.s || a.f !== b.f || a.n !== b.n;
  }).sort();
}

describe('fillRelevantKeys', () => {
  it('keeps new, gone and changed keys, including a change of case only, and drops a change of an unread column', async () => {
    const base = { f: 1.5, n: 1, u: 0 };
    const old: Row[] = [{ k: 'a', s: 'jose', ...base }, { k: 'b', s: 'x', ...base }, { k: 'c', s: 'x', ...base }, { k: 'd', s: null, ...base }, { k: 'e', s: 'x', ...base }];
    const now: Row[] = [{ k: 'a', s: 'José', ...base }, { k: 'b', s: 'x', ...base, u: 9 }, { k: 'd', s: '', ...base }, { k: 'e', s: 'x', ...base, n: null }, { k: 'f', s: 'x', ...base }];
    expect(await relevant(old, now, ['a', 'b', 'c', 'd', 'e', 'f'])).toEqual(['a', 'c', 'd', 'e', 'f']);
    // With no read column, only rows that came or went count.
    expect(await relevant(old, now, ['a', 'b', 'c', 'd', 'e', 'f'], [])).toEqual(['c', 'f']);
  });

  it('agrees with the model on generated rows', async () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    const row = fc.record({
      k: key,
      s: fc.constantFrom('x', 'X', 'y', null),
      f: fc.constantFrom(0.5, 1.5, 0.25, null),
      n: fc.constantFrom(1, 2, null),
      u: fc.integer({ min: 0, max: 2 }),
    });
    // The new rows: each old row kept, changed in one column (case only for s), or gone; then some new ones.
    const edit = fc.constantFrom('keep', 'u', 's-case', 'f', 'n', 'gone');
    const apply = (r: Row, e: string): Row[] => {
      if (e === 'gone') return [];
      if (e === 'u') return [{ ...r, u: r.u + 1 }];
      if (e === 's-case') return [{ ...r, s: r.s === null ? 'x' : r.s === r.s.toUpperCase() ? r.s.toLowerCase() : r.s.toUpperCase() }];
      if (e === 'f') return [{ ...r, f: r.f === 0.5 ? 0.25 : 0.5 }];
      if (e === 'n') return [{ ...r, n: r.n === null ? 1 : null }];
      return [r];
    };
    const rows = fc.uniqueArray(row, { selector: (r) => r.k, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(rows, fc.array(edit, { minLength: 6, maxLength: 6 }), rows, fc.array(key, { maxLength: 8 }), async (old, edits, extra, keys) => {
        const now = old.flatMap((r, i) => apply(r, edits[i]!));
        for (const r of extra) if (!old.some((o) => o.k === r.k)) now.push(r);
        expect(await relevant(old, now, keys)).toEqual(model(old, now, keys));
      }),
      { numRuns: 40 },
    );
  });
});
