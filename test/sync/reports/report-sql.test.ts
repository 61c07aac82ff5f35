/**
 * Integration test of the bundled report SQL (`schema/reports/*.sql`), part 1: every file builds,
 * rebuilds, and computes the customer 360 and pipeline reports right for hand-written rows
 * (fixture in test/helpers/report-fixture.ts; part 2 is report-sql-revenue-search.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../../src/db/quote.js';
import { createReportFixture, EXPECTED_REPORTS, plain, type ReportFixture } from '../../helpers/report-fixture.js';

let fx: ReportFixture;

beforeAll(async () => {
  fx = await createReportFixture('report_sql');
});

afterAll(async () => {
  await fx?.close();
});

describe('bundled report SQL', () => {
  it('loads every report file and builds each as a MyISAM utf8mb4 table', async () => {
    // Other report files may be added: each is built in beforeAll, so a broken one fails here too.
    expect(fx.reports.map((r) => r.name)).toEqual(expect.arrayContaining(EXPECTED_REPORTS));
    for (const def of fx.reports) expect(def.title.length, `${def.name} has a title`).toBeGreaterThan(10);
    const tables = await fx.conn.query<{ name: string; engine: string; collation: string }>(
      `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'rpt\\_%' ORDER BY TABLE_NAME`,
      [fx.reportSchema],
    );
    expect(tables.map((t) => t.name).sort()).toEqual(fx.reports.map((r) => r.name).sort());
    for (const t of tables)
      expect(t, t.name).toMatchObject({ engine: 'MyISAM', collation: 'utf8mb4_unicode_ci' });
  });

  it('can be rebuilt from scratch (the statements hold no state of their own)', async () => {
    for (const def of fx.reports) {
      await fx.conn.execute(`DROP TABLE ${qualify(fx.reportSchema, def.name)}`);
      await fx.buildReport(def);
    }
    const [count] = await fx.conn.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM ${qualify(fx.reportSchema, 'rpt_customer_360')}`,
    );
    expect(Number(count?.n)).toBe(3);
  });

  it('rpt_customer_360: lifetime value counts paid transactions only; open pipeline skips closed stages', async () => {
    const rows = await fx.rowsOf('rpt_customer_360', 'contact_id');
    const columns = [
      'contact_id',
      'first_name',
      'last_name',
      'email',
      'lifecycle_stage',
      'organization_id',
      'organization_name',
      'owner_user_id',
      'owner_name',
      'lifetime_value',
      'order_count',
      'first_purchase_at',
      'last_purchase_at',
      'last_interaction_at',
      'interactions_email',
      'interactions_phone',
      'interactions_social',
      'interactions_meeting',
      'interactions_chat',
      'open_pipeline_value',
      'contact_created_at',
    ];
    expect(rows.map((r) => plain(r, columns))).toEqual([
      {
        contact_id: '1',
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'ada@acme.test',
        lifecycle_stage: 'customer',
        organization_id: '1',
        organization_name: 'Acme Corp',
        owner_user_id: '1',
        owner_name: 'Alice Owner',
        // 100.00 + 250.50; the refund (40) and the pending order (999) do not count.
        lifetime_value: '350.50',
        order_count: '2',
        first_purchase_at: '2024-01-15 09:00:00.000000',
        last_purchase_at: '2024-01-31 23:59:59.999999',
        last_interaction_at: '2024-02-12 10:00:00.000000',
        interactions_email: '1',
        interactions_phone: '1',
        interactions_social: '0',
        interactions_meeting: '0',
        interactions_chat: '1',
        // Qualified 1000.00 + Proposal 333.33; the won 5000.00 is closed.
        open_pipeline_value: '1333.33',
        contact_created_at: '2023-05-01 10:00:00.000000',
      },
      {
        contact_id: '2',
        first_name: 'Grace',
        last_name: 'Hopper',
        email: 'grace@globex.test',
        lifecycle_stage: 'prospect',
        organization_id: '2',
        organization_name: 'Globex',
        owner_user_id: '2',
        owner_name: 'Bob Seller',
        // 60.00 EUR + 80.00 USD + 49.50 EUR, as stored (no conversion); cancelled and refunded skipped.
        lifetime_value: '189.50',
        order_count: '3',
        first_purchase_at: '2024-01-02 08:30:00.000000',
        last_purchase_at: '2024-02-01 00:00:00.000000',
        last_interaction_at: '2024-03-03 10:00:00.000000',
        interactions_email: '1',
        interactions_phone: '0',
        interactions_social: '1',
        interactions_meeting: '1',
        interactions_chat: '0',
        // 200.00 (no owner) + 150.50; the lost 700.00 is closed.
        open_pipeline_value: '350.50',
        contact_created_at: '2023-06-01 11:00:00.000000',
      },
      {
        contact_id: '3',
        first_name: 'Linus',
        last_name: 'Nobody',
        email: 'linus@nowhere.test',
        lifecycle_stage: 'lead',
        organization_id: null,
        organization_name: null,
        owner_user_id: null,
        owner_name: null,
        lifetime_value: '0.00',
        order_count: '0',
        first_purchase_at: null,
        last_purchase_at: null,
        last_interaction_at: null,
        interactions_email: '0',
        interactions_phone: '0',
        interactions_social: '0',
        interactions_meeting: '0',
        interactions_chat: '0',
        open_pipeline_value: '0.00',
        contact_created_at: '2023-07-01 12:00:00.000000',
      },
    ]);
  });

  it('rpt_pipeline_by_stage_owner: counts, totals and weighted amount = amount × probability per (stage, owner)', async () => {
    const rows = await fx.rowsOf('rpt_pipeline_by_stage_owner', 'stage_id, owner_key');
    const columns = [
      'stage_id',
      'stage_name',
      'stage_position',
      'probability',
      'is_closed',
      'is_won',
      'owner_key',
      'owner_user_id',
      'owner_name',
      'opportunity_count',
      'amount_total',
      'weighted_amount',
    ];
    const stage = (id: number, name: string, probability: string, closed: number, won: number) => ({
      stage_id: String(id),
      stage_name: name,
      stage_position: String(id),
      probability,
      is_closed: String(closed),
      is_won: String(won),
    });
    expect(rows.map((r) => plain(r, columns))).toEqual([
      {
        ...stage(1, 'Qualified', '0.2500', 0, 0),
        // Opportunity 4 has no owner: grouped under owner_key 0.
        owner_key: '0',
        owner_user_id: null,
        owner_name: null,
        opportunity_count: '1',
        amount_total: '200.00',
        weighted_amount: '50.00',
      },
      {
        ...stage(1, 'Qualified', '0.2500', 0, 0),
        owner_key: '1',
        owner_user_id: '1',
        owner_name: 'Alice Owner',
        opportunity_count: '2',
        amount_total: '1150.50',
        // 1150.50 × 0.25 = 287.625, rounded half up.
        weighted_amount: '287.63',
      },
      {
        ...stage(2, 'Proposal', '0.6000', 0, 0),
        owner_key: '1',
        owner_user_id: '1',
        owner_name: 'Alice Owner',
        opportunity_count: '1',
        amount_total: '333.33',
        // 333.33 × 0.6 = 199.998.
        weighted_amount: '200.00',
      },
      {
        ...stage(3, 'Won', '1.0000', 1, 1),
        owner_key: '1',
        owner_user_id: '1',
        owner_name: 'Alice Owner',
        opportunity_count: '1',
        amount_total: '5000.00',
        weighted_amount: '5000.00',
      },
      {
        ...stage(4, 'Lost', '0.0000', 1, 0),
        owner_key: '2',
        owner_user_id: '2',
        owner_name: 'Bob Seller',
        opportunity_count: '1',
        amount_total: '700.00',
        weighted_amount: '0.00',
      },
    ]);
  });
});
