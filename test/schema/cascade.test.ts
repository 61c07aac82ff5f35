import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, seed } from '../../schema/index.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

let db: TestDatabase;
let conn: SqlConnection;

beforeAll(async () => {
  db = await createTestDatabase('cascade');
  await migrate(db.target);
  await seed(db.connector, { scale: 0.005, seed: 3 });
  conn = await db.connector.connect();
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

async function count(sql: string, params: unknown[]): Promise<number> {
  const rows = await conn.query<{ n: number | string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

async function ids(sql: string, params: unknown[]): Promise<string[]> {
  return (await conn.query<{ id: string }>(sql, params)).map((r) => String(r.id));
}

describe('foreign keys of the CRM schema', () => {
  it('deleting a contact cascades to every dependent table, three levels deep', async () => {
    const [contactId] = await ids(
      `SELECT c.id FROM contacts c
        WHERE EXISTS (SELECT 1 FROM addresses a WHERE a.contact_id = c.id)
          AND EXISTS (SELECT 1 FROM interactions i WHERE i.contact_id = c.id)
          AND EXISTS (SELECT 1 FROM transactions t JOIN transaction_items ti ON ti.transaction_id = t.id WHERE t.contact_id = c.id)
          AND EXISTS (SELECT 1 FROM opportunities o JOIN opportunity_stage_history h ON h.opportunity_id = o.id WHERE o.contact_id = c.id)
          AND EXISTS (SELECT 1 FROM automation_runs r WHERE r.contact_id = c.id)
          AND EXISTS (SELECT 1 FROM contact_tags g WHERE g.contact_id = c.id)
        ORDER BY c.id LIMIT 1`,
      [],
    );
    expect(contactId).toBeDefined();
    const transactionIds = await ids('SELECT id FROM transactions WHERE contact_id = ?', [contactId]);
    const opportunityIds = await ids('SELECT id FROM opportunities WHERE contact_id = ?', [contactId]);
    const byContact = [
      'addresses',
      'interactions',
      'transactions',
      'opportunities',
      'automation_runs',
      'contact_tags',
    ];
    const dependents = async () => ({
      ...Object.fromEntries(
        await Promise.all(
          byContact.map(async (t): Promise<[string, number]> => [
            t,
            await count(`SELECT COUNT(*) AS n FROM ${t} WHERE contact_id = ?`, [contactId]),
          ]),
        ),
      ),
      transaction_items: await count(
        'SELECT COUNT(*) AS n FROM transaction_items WHERE transaction_id IN (?)',
        [transactionIds],
      ),
      opportunity_stage_history: await count(
        'SELECT COUNT(*) AS n FROM opportunity_stage_history WHERE opportunity_id IN (?)',
        [opportunityIds],
      ),
    });
    const before = await dependents();
    for (const [table, n] of Object.entries(before)) expect(n, table).toBeGreaterThan(0);

    const res = await conn.execute('DELETE FROM contacts WHERE id = ?', [contactId]);
    expect(res.affectedRows).toBe(1);
    const after = await dependents();
    for (const [table, n] of Object.entries(after)) expect(n, table).toBe(0);
  });

  it('deleting an organization keeps its contacts and transactions with organization_id NULL', async () => {
    const [orgId] = await ids(
      `SELECT o.id FROM organizations o
        WHERE EXISTS (SELECT 1 FROM contacts c WHERE c.organization_id = o.id)
          AND EXISTS (SELECT 1 FROM transactions t WHERE t.organization_id = o.id)
        ORDER BY o.id LIMIT 1`,
      [],
    );
    expect(orgId).toBeDefined();
    const contactIds = await ids('SELECT id FROM contacts WHERE organization_id = ?', [orgId]);
    const stampBefore = await conn.query<{ u: string }>('SELECT updated_at AS u FROM contacts WHERE id = ?', [
      contactIds[0],
    ]);

    await conn.execute('DELETE FROM organizations WHERE id = ?', [orgId]);

    expect(await count('SELECT COUNT(*) AS n FROM contacts WHERE organization_id = ?', [orgId])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM transactions WHERE organization_id = ?', [orgId])).toBe(0);
    expect(
      await count('SELECT COUNT(*) AS n FROM contacts WHERE id IN (?) AND organization_id IS NULL', [
        contactIds,
      ]),
    ).toBe(contactIds.length);
    // InnoDB applies SET NULL below the SQL layer: the child's updated_at does not move, so an
    // incremental sync keyed on updated_at cannot see this change.
    const stampAfter = await conn.query<{ u: string }>('SELECT updated_at AS u FROM contacts WHERE id = ?', [
      contactIds[0],
    ]);
    expect(stampAfter[0]?.u).toBe(stampBefore[0]?.u);
  });

  it('refuses to delete a catalog item that a transaction uses (RESTRICT)', async () => {
    const [itemId] = await ids('SELECT catalog_item_id AS id FROM transaction_items ORDER BY id LIMIT 1', []);
    await expect(conn.execute('DELETE FROM catalog_items WHERE id = ?', [itemId])).rejects.toMatchObject({
      errno: 1451,
    });
    expect(await count('SELECT COUNT(*) AS n FROM catalog_items WHERE id = ?', [itemId])).toBe(1);
  });

  it('refuses to delete a pipeline stage in use, and cascades a renumbered one', async () => {
    await expect(conn.execute('DELETE FROM pipeline_stages WHERE id = 1')).rejects.toMatchObject({
      errno: 1451,
    });
    const before = await count('SELECT COUNT(*) AS n FROM opportunities WHERE stage_id = 1', []);
    await conn.execute('UPDATE pipeline_stages SET id = 100 WHERE id = 1');
    expect(await count('SELECT COUNT(*) AS n FROM opportunities WHERE stage_id = 100', [])).toBe(before);
    expect(await count('SELECT COUNT(*) AS n FROM opportunity_stage_history WHERE to_stage_id = 1', [])).toBe(
      0,
    );
    await conn.execute('UPDATE pipeline_stages SET id = 1 WHERE id = 100');
  });

  it('deleting a user keeps what they owned, unowned', async () => {
    const [userId] = await ids(
      'SELECT owner_user_id AS id FROM contacts WHERE owner_user_id IS NOT NULL LIMIT 1',
      [],
    );
    const owned = await count('SELECT COUNT(*) AS n FROM contacts WHERE owner_user_id = ?', [userId]);
    const total = await count('SELECT COUNT(*) AS n FROM contacts', []);
    await conn.execute('DELETE FROM users WHERE id = ?', [userId]);
    expect(owned).toBeGreaterThan(0);
    expect(await count('SELECT COUNT(*) AS n FROM contacts', [])).toBe(total);
    expect(await count('SELECT COUNT(*) AS n FROM contacts WHERE owner_user_id = ?', [userId])).toBe(0);
  });

  it('the server bumps updated_at on UPDATE, and leaves created_at alone', async () => {
    const [id] = await ids('SELECT MIN(id) AS id FROM contacts', []);
    const read = async () =>
      (
        await conn.query<{ c: string; u: string }>(
          'SELECT created_at AS c, updated_at AS u FROM contacts WHERE id = ?',
          [id],
        )
      )[0];
    const before = await read();
    await conn.execute('UPDATE contacts SET lead_score = lead_score + 1 WHERE id = ?', [id]);
    const after = await read();
    expect(after?.c).toBe(before?.c);
    expect(after!.u > before!.u).toBe(true);
  });
});
