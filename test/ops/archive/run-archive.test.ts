/**
 * `runArchive` on the bundled CRM (real server): contacts older than a cutoff move with every
 * dependent row, exactly, and nothing else changes; subjects a live row references through SET NULL
 * or RESTRICT stay; a second run moves nothing; --dry-run predicts the counts; and a run that dies
 * after a chunk's copy and before its commit, then runs again, ends exactly as an uninterrupted one.
 * Expectations are read with plain SQL written here, not with the product's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchive } from '../../../ops/archive/run-archive.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { UsageError } from '../../../src/errors.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { columnsOf, rowsOf, SUBJECT } from '../../helpers/crm-subject.js';

/** Rows of `schema.table` over `cols` as exact text, keyed by primary key (crm-subject.ts). */
const rowMap = async (conn: SqlConnection, schema: string, table: string, cols: string[]) => (await rowsOf(conn, schema, table, cols)).rows;

interface World {
  fx: CrmFixture;
  conn: SqlConnection;
  where: string;
  /** Contact ids the filter selects and that are not held by a live reference. */
  moving: number[];
  kept: number[];
  before: Map<string, Map<string, string>>;
  subjectIds: Map<string, Set<string>>;
}

/** A seeded CRM with two extra tables referencing contacts (SET NULL and RESTRICT), and the expectation. */
async function world(prefix: string): Promise<World> {
  const fx = await createCrmFixture(prefix, 0.01);
  const conn = await fx.connector.connect();
  // The cutoff as NOW() - INTERVAL n DAY: about the oldest third of contacts.
  const [{ days }] = (await conn.query<{ days: number }>(
    'SELECT DATEDIFF(NOW(), created_at) AS days FROM contacts ORDER BY created_at LIMIT 1 OFFSET ?',
    [Math.floor(((await conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM contacts'))[0]!.n) / 3)],
  )) as [{ days: number }];
  const where = `contacts.created_at < NOW() - INTERVAL ${days} DAY`;
  const selected = (await conn.query<{ id: number }>(`SELECT id FROM contacts WHERE created_at < NOW() - INTERVAL ? DAY ORDER BY id`, [days])).map((r) => Number(r.id));
  expect(selected.length).toBeGreaterThan(10);
  const kept = [selected[3]!, selected[selected.length - 2]!];
  await conn.execute('CREATE TABLE referrals (id INT PRIMARY KEY, contact_id BIGINT UNSIGNED NULL, CONSTRAINT fk_referrals_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE SET NULL) ENGINE=InnoDB');
  await conn.execute('CREATE TABLE legal_holds (id INT PRIMARY KEY, contact_id BIGINT UNSIGNED NOT NULL, CONSTRAINT fk_legal_holds_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE RESTRICT) ENGINE=InnoDB');
  await conn.execute('INSERT INTO referrals VALUES (1, ?)', [kept[0]]);
  await conn.execute('INSERT INTO legal_holds VALUES (1, ?)', [kept[1]]);
  const moving = selected.filter((id) => !kept.includes(id));
  const before = new Map<string, Map<string, string>>();
  const tables = (await conn.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND ENGINE = 'InnoDB'")).map((r) => r.t);
  for (const t of tables) before.set(t, await rowMap(conn, fx.database, t, await columnsOf(conn, fx.database, t)));
  const subjectIds = new Map<string, Set<string>>();
  for (const [t, sql] of Object.entries(SUBJECT)) subjectIds.set(t, new Set((await conn.query<{ id: number }>(sql.replace('?', moving.join(', ')))).map((r) => String(r.id))));
  return { fx, conn, where, moving, kept, before, subjectIds };
}

/** Asserts the end state: each subject row exactly in the archive and gone from the source; every other row untouched. */
async function expectArchived(w: World): Promise<void> {
  const archive = `${w.fx.database}_archive`;
  for (const [t, rows] of w.before) {
    const ids = w.subjectIds.get(t) ?? new Set<string>();
    const cols = t in SUBJECT ? await columnsOf(w.conn, archive, t) : [];
    const source = await rowMap(w.conn, w.fx.database, t, await columnsOf(w.conn, w.fx.database, t));
    expect([...source.entries()].sort(), `${t} in the source`).toEqual([...rows.entries()].filter(([id]) => !ids.has(id)).sort());
    if (!(t in SUBJECT)) continue;
    const want = new Map<string, string>();
    // The before-image over the archive's columns (a generated column is not archived).
    const all = await columnsOf(w.conn, w.fx.database, t);
    const idx = cols.map((c) => all.indexOf(c));
    for (const [id, r] of rows) if (ids.has(id)) want.set(id, idx.map((i) => r.split('|')[i]).join('|'));
    expect([...(await rowMap(w.conn, archive, t, cols)).entries()].sort(), `${t} in the archive`).toEqual([...want.entries()].sort());
  }
}

describe('runArchive on the CRM', () => {
  let w: World;
  beforeAll(async () => {
    w = await world('archive');
  }, 240_000);
  afterAll(async () => {
    await w?.conn.close();
    await w?.fx.drop();
  });

  it('refuses a bad filter with a UsageError before anything changes', async () => {
    for (const where of ['nosuch.id = 1', 'contacts.nosuch < 3', 'contacts.id < NOW() - INTERVAL 2 EONS', 'id = 1'])
      await expect(runArchive({ pipeline: w.fx.pipeline, where }), where).rejects.toBeInstanceOf(UsageError);
    expect(await w.conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${w.fx.database}_archive`])).toEqual([]);
  });

  it('--on-referenced refuse names the blocking keys and changes nothing', async () => {
    await expect(runArchive({ pipeline: w.fx.pipeline, where: w.where, onReferenced: 'refuse' })).rejects.toThrow(/fk_referrals_contact.*fk_legal_holds_contact|fk_legal_holds_contact.*fk_referrals_contact/);
    expect(Number((await w.conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM contacts'))[0]!.n)).toBe(w.before.get('contacts')!.size);
  });

  it('a dry run predicts, the run moves each subject exactly, keeps the referenced ones, and a second run is a no-op', async () => {
    const dry = await runArchive({ pipeline: w.fx.pipeline, where: w.where, dryRun: true, chunkRows: 7 });
    const real = await runArchive({ pipeline: w.fx.pipeline, where: w.where, chunkRows: 7 });
    expect(real.subjects).toBe(w.moving.length);
    expect(real.keptSubjects).toBe(2);
    expect(real.kept.map((k) => [k.foreignKey, k.subjects, k.examples]).sort()).toEqual([
      ['fk_legal_holds_contact', 1, [String(w.kept[1])]],
      ['fk_referrals_contact', 1, [String(w.kept[0])]],
    ]);
    for (const t of real.tables) expect(t.rows, t.table).toBe(w.subjectIds.get(t.table)!.size);
    expect({ ...dry, runId: '', dryRun: false }).toEqual({ ...real, runId: '' });
    expect(real.chunks).toBeGreaterThan(2);
    await expectArchived(w);
    const again = await runArchive({ pipeline: w.fx.pipeline, where: w.where, chunkRows: 7 });
    expect(again.subjects).toBe(0);
    expect(again.tables.every((t) => t.rows === 0)).toBe(true);
    await expectArchived(w);
    const journal = await w.conn.query<{ state: string; n: number }>(`SELECT state, COUNT(*) AS n FROM ${qualify(`${w.fx.database}_archive`, '_dualpipe_archive_journal')} GROUP BY state`);
    expect(journal.map((j) => j.state)).toEqual(['done']);
  }, 240_000);
});

describe('runArchive after a kill between copy and commit', () => {
  let w: World;
  beforeAll(async () => {
    w = await world('archive_kill');
  }, 240_000);
  afterAll(async () => {
    await w?.conn.close();
    await w?.fx.drop();
  });

  it('reconciles the half-done chunk and ends exactly as an uninterrupted run', async () => {
    const dying = runArchive({
      pipeline: w.fx.pipeline,
      where: w.where,
      chunkRows: 7,
      afterCopy: (chunk) => {
        if (chunk === 2) throw new Error('killed');
      },
    });
    await expect(dying).rejects.toThrow('killed');
    const archive = `${w.fx.database}_archive`;
    // Chunk 2's copy is in the archive while its rows are still live: the state a kill leaves.
    const [{ live }] = (await w.conn.query<{ live: number }>(`SELECT COUNT(*) AS live FROM ${qualify(archive, 'contacts')} a JOIN contacts s ON s.id = a.id`)) as [{ live: number }];
    expect(Number(live)).toBeGreaterThan(0);
    const result = await runArchive({ pipeline: w.fx.pipeline, where: w.where, chunkRows: 7 });
    expect(result.reconciled.chunks).toBe(1);
    expect(result.reconciled.rows).toBeGreaterThanOrEqual(Number(live));
    await expectArchived(w);
  }, 240_000);
});
