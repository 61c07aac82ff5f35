/**
 * docs/archive-queries.md, run as written: every `sql howto` block runs against a synced CRM whose
 * oldest contacts were archived (only the schema names and the example contact id are swapped for
 * the test's), and the answers equal what the source held before the archive (plain SQL oracle).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArchive } from '../../ops/archive/run-archive.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { runSync } from '../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';
import { howtoBlocks } from '../helpers/howto-blocks.js';

const statements = (sql: string) => sql.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean);
const REVENUE = "SELECT DATE_FORMAT(t.occurred_at, '%Y-%m') AS month, SUM(i.quantity * i.unit_price) AS revenue FROM transactions t JOIN transaction_items i ON i.transaction_id = t.id GROUP BY month ORDER BY month";

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('archive_doc', 0.01);
  conn = await fx.connector.connect();
}, 120_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
});

describe('docs/archive-queries.md', () => {
  it('its queries read live and archived rows together and answer as the source did before the archive', async () => {
    const [{ id: subject }] = (await conn.query<{ id: number }>('SELECT contact_id AS id FROM interactions GROUP BY contact_id HAVING COUNT(*) > 1 ORDER BY contact_id LIMIT 1')) as [{ id: number }];
    const interactions = (await conn.query('SELECT id FROM interactions WHERE contact_id = ?', [subject])).length;
    const revenue = await conn.query(REVENUE);
    const contacts = Number((await conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM contacts'))[0]!.n);
    const moved = await runArchive({ pipeline: fx.pipeline, where: `contacts.id <= ${Number(subject) + 20}`, onReferenced: 'keep' });
    expect(moved.subjects).toBeGreaterThan(0);
    await runSync({ pipeline: fx.pipeline });
    const names = (sql: string) =>
      sql.replaceAll('crm_report', fx.reportSchema).replaceAll('crm_archive', `${fx.database}_archive`).replaceAll('crm_all', `${fx.database}_all`).replaceAll('4711', String(subject));
    const blocks = howtoBlocks(readFileSync('docs/archive-queries.md', 'utf8'));
    expect(blocks).toHaveLength(4);
    const answers: Record<string, unknown>[][] = [];
    for (const b of blocks) {
      let last: Record<string, unknown>[] = [];
      for (const st of statements(b.body)) last = await conn.query(names(st));
      answers.push(last);
    }
    const [one, items, view, months] = answers as [Record<string, unknown>[], Record<string, unknown>[], Record<string, unknown>[], Record<string, unknown>[]];
    expect(one).toHaveLength(interactions);
    expect(new Set(one.map((r) => r.place))).toEqual(new Set(['archived']));
    expect(items.length).toBe(Number((await conn.query<{ n: number }>(`SELECT (SELECT COUNT(*) FROM transaction_items) + (SELECT COUNT(*) FROM \`${fx.database}_archive\`.transaction_items) AS n`))[0]!.n));
    expect(view.map((r) => [r.place, Number(r.contacts)])).toEqual([['archived', moved.subjects], ['live', contacts - moved.subjects]]);
    expect(months.map((r) => [r.month, String(r.revenue)])).toEqual(revenue.map((r) => [r.month, String(r.revenue)]));
  }, 120_000);
});
