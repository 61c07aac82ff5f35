/**
 * Integration test of the bundled report SQL (`schema/reports/*.sql`): builds the CRM schema with
 * the migrations, writes a handful of hand-made rows, copies the tables a report reads into
 * MyISAM tables in a second schema (the mirrors), runs every report file against them and checks
 * the computed values. The session runs in MySQL 8's default SQL mode (ONLY_FULL_GROUP_BY,
 * strict), so a report that would be refused there fails here too, even on MariaDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../schema/index.js';
import type { Row, SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import {
  loadReportDefinitions,
  type ReportDefinition,
  renderReportStatements,
} from '../../sync/report-definitions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const STRICT_MODE =
  'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,' +
  'ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

const EXPECTED_REPORTS = [
  'rpt_customer_360',
  'rpt_interaction_search',
  'rpt_pipeline_by_stage_owner',
  'rpt_revenue_by_month',
];

/** Hand-written source rows, inserted in this order (parents first). */
const SOURCE_ROWS: Array<[table: string, columns: string[], rows: unknown[][]]> = [
  [
    'users',
    ['id', 'email', 'full_name', 'role'],
    [
      [1, 'alice@crm.test', 'Alice Owner', 'sales'],
      [2, 'bob@crm.test', 'Bob Seller', 'manager'],
    ],
  ],
  [
    'organizations',
    ['id', 'name', 'owner_user_id'],
    [
      [1, 'Acme Corp', 1],
      [2, 'Globex', 2],
    ],
  ],
  [
    'contacts',
    [
      'id',
      'organization_id',
      'owner_user_id',
      'first_name',
      'last_name',
      'email',
      'lifecycle_stage',
      'created_at',
    ],
    [
      [1, 1, 1, 'Ada', 'Lovelace', 'ada@acme.test', 'customer', '2023-05-01 10:00:00.000000'],
      [2, 2, 2, 'Grace', 'Hopper', 'grace@globex.test', 'prospect', '2023-06-01 11:00:00.000000'],
      [3, null, null, 'Linus', 'Nobody', 'linus@nowhere.test', 'lead', '2023-07-01 12:00:00.000000'],
    ],
  ],
  [
    'transactions',
    ['id', 'contact_id', 'organization_id', 'status', 'currency', 'total_amount', 'occurred_at'],
    [
      [1, 1, 1, 'paid', 'EUR', '100.00', '2024-01-15 09:00:00.000000'],
      // The last microsecond of January: still January.
      [2, 1, 1, 'paid', 'EUR', '250.50', '2024-01-31 23:59:59.999999'],
      // The first microsecond of February.
      [3, 1, 1, 'refunded', 'EUR', '40.00', '2024-02-01 00:00:00.000000'],
      [4, 1, 1, 'pending', 'EUR', '999.00', '2024-02-10 08:00:00.000000'],
      [5, 2, 2, 'paid', 'EUR', '60.00', '2024-02-01 00:00:00.000000'],
      [6, 2, 2, 'cancelled', 'EUR', '500.00', '2024-01-20 10:00:00.000000'],
      [7, 2, 2, 'paid', 'USD', '80.00', '2024-01-20 12:00:00.000000'],
      [8, 2, 2, 'paid', 'EUR', '49.50', '2024-01-02 08:30:00.000000'],
      [9, 2, 2, 'refunded', 'USD', '25.00', '2024-03-05 15:00:00.000000'],
    ],
  ],
  [
    'interactions',
    ['id', 'contact_id', 'user_id', 'channel', 'direction', 'subject', 'body', 'occurred_at'],
    [
      [
        1,
        1,
        1,
        'email',
        'outbound',
        'Quarterly review',
        'Discussed the renewal of the enterprise licence.',
        '2024-01-10 10:00:00.000000',
      ],
      [
        2,
        1,
        1,
        'phone',
        'inbound',
        'Support call',
        'Customer reported a broken invoice export.',
        '2024-02-11 10:00:00.000000',
      ],
      [3, 1, null, 'chat', 'inbound', 'Chat', null, '2024-02-12 10:00:00.000000'],
      [
        4,
        2,
        2,
        'meeting',
        'outbound',
        'Onsite visit',
        'Toured the warehouse and met the procurement team.',
        '2024-03-01 10:00:00.000000',
      ],
      [
        5,
        2,
        2,
        'email',
        'inbound',
        'Re: pricing',
        'Asked about volume discounts for licences.',
        '2024-03-02 10:00:00.000000',
      ],
      [
        6,
        2,
        2,
        'social',
        'inbound',
        'Mention',
        'Tagged us in a post about warehouse automation.',
        '2024-03-03 10:00:00.000000',
      ],
    ],
  ],
  [
    'pipeline_stages',
    ['id', 'name', 'position', 'probability', 'is_closed', 'is_won'],
    [
      [1, 'Qualified', 1, '0.2500', 0, 0],
      [2, 'Proposal', 2, '0.6000', 0, 0],
      [3, 'Won', 3, '1.0000', 1, 1],
      [4, 'Lost', 4, '0.0000', 1, 0],
    ],
  ],
  [
    'opportunities',
    [
      'id',
      'contact_id',
      'organization_id',
      'owner_user_id',
      'stage_id',
      'name',
      'amount',
      'expected_close_date',
    ],
    [
      [1, 1, 1, 1, 1, 'Acme licences', '1000.00', '2024-06-30'],
      [2, 1, 1, 1, 2, 'Acme support', '333.33', '2024-06-30'],
      [3, 1, 1, 1, 3, 'Acme pilot', '5000.00', '2024-03-31'],
      [4, 2, 2, null, 1, 'Globex unassigned', '200.00', '2024-07-31'],
      [5, 2, 2, 2, 4, 'Globex lost deal', '700.00', '2024-02-28'],
      [6, 2, 2, 1, 1, 'Globex add-on', '150.50', '2024-08-31'],
    ],
  ],
];

let db: TestDatabase;
let conn: SqlConnection;
let sourceSchema: string;
let reportSchema: string;
let reports: ReportDefinition[];

/** Runs one report's statements into `reportSchema`.`<name>`, failing on any warning. */
async function buildReport(def: ReportDefinition): Promise<void> {
  const statements = renderReportStatements(def, (name) =>
    name === 'target' ? qualify(reportSchema, def.name) : qualify(reportSchema, name),
  );
  for (const sql of statements) {
    const result = await conn.execute(sql);
    if (result.warningStatus > 0) {
      const warnings = await conn.query('SHOW WARNINGS');
      throw new Error(`${def.name}: warnings from\n${sql}\n${JSON.stringify(warnings)}`);
    }
  }
}

async function rowsOf<T extends Row = Row>(table: string, orderBy: string): Promise<T[]> {
  return conn.query<T>(`SELECT * FROM ${qualify(reportSchema, table)} ORDER BY ${orderBy}`);
}

/** Normalises driver values (BIGINT and DECIMAL come back as strings) for comparisons. */
function plain(row: Row, columns: string[]): Record<string, string | null> {
  return Object.fromEntries(columns.map((c) => [c, row[c] === null ? null : String(row[c])]));
}

beforeAll(async () => {
  db = await createTestDatabase('report_sql');
  sourceSchema = `${db.database}_src`;
  reportSchema = `${db.database}_rpt`;
  await migrate({ ...db.target, database: sourceSchema });
  conn = await db.connector.connect();
  await conn.execute(
    `CREATE DATABASE ${quoteId(reportSchema)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await conn.execute(`SET SESSION sql_mode = '${STRICT_MODE}'`);

  for (const [table, columns, rows] of SOURCE_ROWS) {
    const marks = `(${columns.map(() => '?').join(', ')})`;
    await conn.execute(
      `INSERT INTO ${qualify(sourceSchema, table)} (${columns.map(quoteId).join(', ')}) VALUES ${rows
        .map(() => marks)
        .join(', ')}`,
      rows.flat(),
    );
  }

  reports = loadReportDefinitions();
  const mirrored = new Set(reports.flatMap((r) => r.dependsOn));
  for (const table of mirrored) {
    const mirror = qualify(reportSchema, table);
    await conn.execute(`CREATE TABLE ${mirror} LIKE ${qualify(sourceSchema, table)}`);
    await conn.execute(`ALTER TABLE ${mirror} ENGINE=MyISAM`);
    await conn.execute(`INSERT INTO ${mirror} SELECT * FROM ${qualify(sourceSchema, table)}`);
  }
  for (const def of reports) await buildReport(def);
});

afterAll(async () => {
  await conn?.close();
  await db?.drop();
});

describe('bundled report SQL', () => {
  it('loads every report file and builds each as a MyISAM utf8mb4 table', async () => {
    // Other report files may be added: each is built in beforeAll, so a broken one fails here too.
    expect(reports.map((r) => r.name)).toEqual(expect.arrayContaining(EXPECTED_REPORTS));
    for (const def of reports) expect(def.title.length, `${def.name} has a title`).toBeGreaterThan(10);
    const tables = await conn.query<{ name: string; engine: string; collation: string }>(
      `SELECT TABLE_NAME AS name, ENGINE AS engine, TABLE_COLLATION AS collation
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'rpt\\_%' ORDER BY TABLE_NAME`,
      [reportSchema],
    );
    expect(tables.map((t) => t.name).sort()).toEqual(reports.map((r) => r.name).sort());
    for (const t of tables)
      expect(t, t.name).toMatchObject({ engine: 'MyISAM', collation: 'utf8mb4_unicode_ci' });
  });

  it('can be rebuilt from scratch (the statements hold no state of their own)', async () => {
    for (const def of reports) {
      await conn.execute(`DROP TABLE ${qualify(reportSchema, def.name)}`);
      await buildReport(def);
    }
    const [count] = await conn.query<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM ${qualify(reportSchema, 'rpt_customer_360')}`,
    );
    expect(Number(count?.n)).toBe(3);
  });

  it('rpt_customer_360: lifetime value counts paid transactions only; open pipeline skips closed stages', async () => {
    const rows = await rowsOf('rpt_customer_360', 'contact_id');
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
    const rows = await rowsOf('rpt_pipeline_by_stage_owner', 'stage_id, owner_key');
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

  it('rpt_revenue_by_month: buckets by calendar month of occurred_at and currency', async () => {
    const rows = await rowsOf('rpt_revenue_by_month', '`month`, currency');
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
    const rows = await rowsOf('rpt_interaction_search', 'interaction_id');
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
    const table = qualify(reportSchema, 'rpt_interaction_search');
    const search = async (against: string) =>
      (
        await conn.query<{ id: string | number }>(
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
