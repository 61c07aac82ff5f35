/**
 * `runUnarchive` on the bundled CRM (real server): archived contacts come back with every dependent
 * row exactly as they were before the archive, parents first, and leave the archive; the rest of
 * the archive stays; --dry-run predicts; a key taken again or a parent gone refuses the run with
 * names and changes nothing; a run killed after a chunk's commit and before its archive delete is
 * finished by the next run with no row lost or doubled. Expectations are plain SQL (crm-subject.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchive } from '../../../ops/archive/run-archive.js';
import { runUnarchive } from '../../../ops/archive/run-unarchive.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { LockBusyError, UsageError } from '../../../src/errors.js';
import { randomBytes } from 'node:crypto';
import { archiveLockName } from '../../../ops/archive/run-archive.js';
import { runForget } from '../../../ops/forget/run-forget.js';
import { erasureKeyOf } from '../../../src/erasure/erasure-key.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { columnsOf, rowsOf, SUBJECT } from '../../helpers/crm-subject.js';

let fx: CrmFixture;
let conn: SqlConnection;
let archive: string;
/** Every subject table's rows before the archive, over the archive's columns. */
const before = new Map<string, Map<string, string>>();
let archived: number[] = [];
/** The subject keys of the first five contacts, read before they came back. */
let firstFive = new Map<string, Set<string>>();

const snapshot = async (schema: string, t: string) => (await rowsOf(conn, schema, t, await columnsOf(conn, archive, t))).rows;
const count = async (sql: string) => Number((await conn.query<{ n: number }>(sql))[0]!.n);

beforeAll(async () => {
  fx = await createCrmFixture('unarchive', 0.01);
  conn = await fx.connector.connect();
  archive = `${fx.database}_archive`;
  // Contacts with at least one opportunity (a three-level tree) among the first 30 ids.
  archived = (await conn.query<{ id: number }>('SELECT DISTINCT c.id FROM contacts c JOIN opportunities o ON o.contact_id = c.id JOIN opportunity_stage_history h ON h.opportunity_id = o.id ORDER BY c.id LIMIT 12')).map((r) => Number(r.id));
  expect(archived.length).toBe(12);
  await runArchive({ pipeline: fx.pipeline, where: `contacts.id IN (${archived.join(', ')})` });
  for (const t of Object.keys(SUBJECT)) before.set(t, await snapshot(archive, t));
  expect(before.get('opportunity_stage_history')!.size).toBeGreaterThan(0);
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
});

/** The subject keys of `ids` per table, from the archive (plain SQL). */
async function subjectKeys(ids: readonly number[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  await conn.execute(`USE \`${archive}\``);
  for (const [t, sql] of Object.entries(SUBJECT)) out.set(t, new Set((await conn.query<{ id: string }>(sql.replace('?', ids.join(', ')))).map((r) => String(r.id))));
  await conn.execute(`USE \`${fx.database}\``);
  return out;
}

/** `ids`' subjects are in the source exactly as before, not in the archive; the archive holds the others as before. */
async function expectBack(ids: readonly number[], keys: Map<string, Set<string>>): Promise<void> {
  for (const [t, rows] of before) {
    const mine = keys.get(t)!;
    const source = await snapshot(fx.database, t);
    for (const id of mine) expect(source.get(id), `${t} ${id} in the source`).toBe(rows.get(id));
    const left = await snapshot(archive, t);
    expect([...left.entries()].sort(), `${t} in the archive`).toEqual([...rows.entries()].filter(([id]) => !mine.has(id)).sort());
  }
  expect(ids.length).toBeGreaterThan(0);
}

describe('runUnarchive on the CRM', () => {
  it('refuses bad filters, a key taken again and a parent gone, naming them, and changes nothing', async () => {
    for (const where of ['nosuch.id = 1', 'contacts.nosuch = 3', 'id = 1'])
      await expect(runUnarchive({ pipeline: fx.pipeline, where }), where).rejects.toBeInstanceOf(UsageError);
    const [a, b] = [archived[0]!, archived[1]!];
    const [{ org }] = (await conn.query<{ org: number | null }>(`SELECT organization_id AS org FROM \`${archive}\`.contacts WHERE id = ?`, [b])) as [{ org: number | null }];
    expect(org).not.toBeNull();
    await conn.execute(`INSERT INTO contacts (id, email, first_name, last_name) SELECT id, CONCAT('again', email), first_name, last_name FROM \`${archive}\`.contacts WHERE id = ?`, [a]);
    await conn.execute('SET FOREIGN_KEY_CHECKS = 0');
    await conn.execute('UPDATE contacts SET organization_id = NULL WHERE organization_id = ?', [org]);
    const orgRow = await conn.query('SELECT * FROM organizations WHERE id = ?', [org]);
    await conn.execute('DELETE FROM organizations WHERE id = ?', [org]);
    await conn.execute('SET FOREIGN_KEY_CHECKS = 1');
    const contacts = await count('SELECT COUNT(*) AS n FROM contacts');
    const err = await runUnarchive({ pipeline: fx.pipeline, where: `contacts.id IN (${a}, ${b})` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(String((err as Error).message)).toMatch(new RegExp(`contacts are in the source again \\(e\\.g\\. ${a}\\).*reference through \\S+ a row that no longer exists \\(e\\.g\\. ${b}\\)`));
    expect(await count('SELECT COUNT(*) AS n FROM contacts')).toBe(contacts);
    expect(await count(`SELECT COUNT(*) AS n FROM \`${archive}\`.contacts`)).toBe(archived.length);
    await conn.execute('DELETE FROM contacts WHERE id = ?', [a]);
    const cols = Object.keys(orgRow[0]!);
    await conn.execute(`INSERT INTO organizations (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`, cols.map((c) => orgRow[0]![c]));
  }, 120_000);

  it('--dry-run predicts; the run brings the subjects back exactly, parents first; a second run is a no-op', async () => {
    const ids = archived.slice(0, 5);
    const keys = await subjectKeys(ids);
    firstFive = keys;
    const where = `contacts.id IN (${ids.join(', ')})`;
    const dry = await runUnarchive({ pipeline: fx.pipeline, where, dryRun: true, chunkRows: 2 });
    const real = await runUnarchive({ pipeline: fx.pipeline, where, chunkRows: 2 });
    expect(real.subjects).toBe(5);
    expect(real.chunks).toBe(3);
    for (const t of real.tables) expect(t.rows, t.table).toBe(keys.get(t.table)?.size ?? 0);
    expect({ ...dry, runId: '', dryRun: false }).toEqual({ ...real, runId: '' });
    await expectBack(ids, keys);
    const again = await runUnarchive({ pipeline: fx.pipeline, where, chunkRows: 2 });
    expect(again.subjects).toBe(0);
  }, 120_000);

  it('a run killed after a commit and before the archive delete is finished by the next, nothing lost or doubled', async () => {
    const ids = archived.slice(5);
    const keys = await subjectKeys(ids);
    for (const [t, set] of firstFive) for (const k of set) keys.get(t)!.add(k);
    const where = `contacts.id IN (${ids.join(', ')})`;
    const dying = runUnarchive({ pipeline: fx.pipeline, where, chunkRows: 3, afterCommit: (n) => { if (n === 2) throw new Error('killed'); } });
    await expect(dying).rejects.toThrow('killed');
    // Chunk 2 is in the source and still in the archive: the state a kill leaves.
    expect(await count(`SELECT COUNT(*) AS n FROM \`${archive}\`.contacts a JOIN contacts s ON s.id = a.id`)).toBe(3);
    const rerun = await runUnarchive({ pipeline: fx.pipeline, where, chunkRows: 3 });
    expect(rerun.finished.chunks).toBe(1);
    expect(rerun.finished.rows).toBeGreaterThan(3);
    expect(rerun.subjects).toBe(ids.length - 6);
    await expectBack(archived, keys);
  }, 120_000);

  it('an unarchive or a forget while another run holds the archive lock is refused and changes nothing', async () => {
    const other = await fx.connector.connect();
    try {
      expect(Number((await other.query<{ g: number }>('SELECT GET_LOCK(?, 0) AS g', [archiveLockName(fx.database)]))[0]!.g)).toBe(1);
      const where = `contacts.id IN (${archived.join(', ')})`;
      const before = [await count('SELECT COUNT(*) AS n FROM contacts'), await count(`SELECT COUNT(*) AS n FROM \`${archive}\`.contacts`)];
      await expect(runUnarchive({ pipeline: fx.pipeline, where })).rejects.toBeInstanceOf(LockBusyError);
      await expect(runForget({ pipeline: fx.pipeline, where, reason: 'test', key: erasureKeyOf(randomBytes(32)) })).rejects.toBeInstanceOf(LockBusyError);
      expect([await count('SELECT COUNT(*) AS n FROM contacts'), await count(`SELECT COUNT(*) AS n FROM \`${archive}\`.contacts`)]).toEqual(before);
    } finally {
      await other.close();
    }
  }, 60_000);
});
