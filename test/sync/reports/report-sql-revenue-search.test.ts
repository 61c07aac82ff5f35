/**
 * Integration test of the bundled report SQL, part 2: revenue by month and the interaction search
 * table with its FULLTEXT index (fixture in test/helpers/report-fixture.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualify } from '../../../src/db/quote.js';
import { createReportFixture, plain, type ReportFixture } from '../../helpers/report-fixture.js';

let fx: ReportFixture;

beforeAll(async () => {
  fx = await createReportFixture('report_sql_b');
});

afterAll(async () => {
  await fx?.close();
});

describe('bundled report SQL', () => {
  it('rpt_revenue_by_month: buckets by calendar month of occurred_at and currency', async () => {
    const rows = await fx.rowsOf('rpt_revenue_by_month', '`month`, currency');
    const columns = [
      'month',
      'year',
      'month_number',
      'currency',
      'paid_transaction_count',
      'paying_customers',
      'revenue',
      'refunded_amount',
      'average_order_value',
    ];
    expect(rows.map((r) => plain(r, columns))).toEqual([
      {
        month: '2024-01-01',
        year: '2024',
        month_number: '1',
        currency: 'EUR',
        // 100.00 + 250.50 (23:59:59.999999 on Jan 31) + 49.50, by two customers; the cancelled 500 is out.
        paid_transaction_count: '3',
        paying_customers: '2',
        revenue: '400.00',
        refunded_amount: '0.00',
        average_order_value: '133.33',
      },
      {
        month: '2024-01-01',
        year: '2024',
        month_number: '1',
        currency: 'USD',
        paid_transaction_count: '1',
        paying_customers: '1',
        revenue: '80.00',
        refunded_amount: '0.00',
        average_order_value: '80.00',
      },
      {
        month: '2024-02-01',
        year: '2024',
        month_number: '2',
        currency: 'EUR',
        // 60.00 at 00:00:00 on Feb 1; the pending 999 is out; the 40.00 refund shows apart.
        paid_transaction_count: '1',
        paying_customers: '1',
        revenue: '60.00',
        refunded_amount: '40.00',
        average_order_value: '60.00',
      },
      {
        month: '2024-03-01',
        year: '2024',
        month_number: '3',
        currency: 'USD',
        // A month with only a refund: no paid order, so no average.
        paid_transaction_count: '0',
        paying_customers: '0',
        revenue: '0.00',
        refunded_amount: '25.00',
        average_order_value: null,
      },
    ]);
  });

  it('rpt_interaction_search: one row per interaction with contact and organization names', async () => {
    const rows = await fx.rowsOf('rpt_interaction_search', 'interaction_id');
    expect(rows).toHaveLength(6);
    const columns = [
      'interaction_id',
      'contact_id',
      'contact_name',
      'organization_name',
      'channel',
      'direction',
      'occurred_at',
      'subject',
      'body',
    ];
    expect(plain(rows[3]!, columns)).toEqual({
      interaction_id: '4',
      contact_id: '2',
      contact_name: 'Grace Hopper',
      organization_name: 'Globex',
      channel: 'meeting',
      direction: 'outbound',
      occurred_at: '2024-03-01 10:00:00.000000',
      subject: 'Onsite visit',
      body: 'Toured the warehouse and met the procurement team.',
    });
    expect(plain(rows[2]!, ['contact_name', 'organization_name', 'body'])).toEqual({
      contact_name: 'Ada Lovelace',
      organization_name: 'Acme Corp',
      body: null,
    });
  });

  it('rpt_interaction_search: MATCH … AGAINST finds rows by words of the body and subject', async () => {
    const table = qualify(fx.reportSchema, 'rpt_interaction_search');
    const search = async (against: string) =>
      (
        await fx.conn.query<{ id: string | number }>(
          `SELECT interaction_id AS id FROM ${table} WHERE MATCH (subject, body) AGAINST (${against}) ORDER BY interaction_id`,
        )
      ).map((r) => Number(r.id));
    expect(await search(`'procurement' IN NATURAL LANGUAGE MODE`)).toEqual([4]);
    expect(await search(`'invoice' IN NATURAL LANGUAGE MODE`)).toEqual([2]);
    expect(await search(`'quarterly' IN NATURAL LANGUAGE MODE`)).toEqual([1]);
    expect(await search(`'+warehouse -automation' IN BOOLEAN MODE`)).toEqual([4]);
    expect(await search(`'licen*' IN BOOLEAN MODE`)).toEqual([1, 5]);
  });
});
