import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, SEED_TABLES, seed } from '../../schema/index.js';
import { MIGRATIONS_TABLE } from '../../schema/migrate.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { type CrmFixture, createCrmFixture } from './crm-fixture.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

// The fixtures are copies of a template (crm-template.ts); this proves a copy is what migrating and
// seeding gives: same definitions (foreign keys, AUTO_INCREMENT counters), same rows, same knex tables.
describe('CRM fixture copied from the template', () => {
  let copy: CrmFixture;
  let fresh: TestDatabase;
  let conn: SqlConnection;

  beforeAll(async () => {
    copy = await createCrmFixture('tplcopy', 0.01);
    fresh = await createTestDatabase('tplfresh');
    await migrate(fresh.target);
    await seed(fresh.connector, { scale: 0.01, seed: 7 });
    conn = await fresh.connector.connect();
  });
  afterAll(async () => {
    await conn?.close();
    await copy?.drop();
    await fresh?.drop();
  });

  const tablesOf = async (schema: string) =>
    (
      await conn.query<{ t: string; e: string }>(
        "SELECT TABLE_NAME AS t, TABLE_TYPE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1",
        [schema],
      )
    ).map((r) => `${r.t} ${r.e}`);

  it('has the same tables, each with the same SHOW CREATE TABLE text (AUTO_INCREMENT counters included)', async () => {
    const tables = await tablesOf(fresh.database);
    expect(tables).toContain(`${MIGRATIONS_TABLE} BASE TABLE`);
    expect(tables).toContain(`${MIGRATIONS_TABLE}_lock BASE TABLE`);
    expect(await tablesOf(copy.database)).toEqual(tables);
    let counters = 0;
    for (const entry of tables) {
      const t = entry.split(' ')[0]!;
      const [a] = await conn.query<{ 'Create Table': string }>(`SHOW CREATE TABLE ${qualify(fresh.database, t)}`);
      const [b] = await conn.query<{ 'Create Table': string }>(`SHOW CREATE TABLE ${qualify(copy.database, t)}`);
      expect(b!['Create Table'], t).toBe(a!['Create Table']);
      if (/AUTO_INCREMENT=\d+/.test(a!['Create Table'])) counters++;
    }
    // The seeded tables have counters past 1, so the comparison above covered them.
    expect(counters).toBeGreaterThan(5);
  });

  // Columns the seed leaves to their CURRENT_TIMESTAMP(6) default hold the load time, which differs
  // between any two fresh seeds; every other column is compared, and these must be filled.
  const loadTimeColumns = async (schema: string, t: string) => {
    const seeded = new Set(SEED_TABLES.find((s) => s.table === t)?.columns ?? []);
    const rows = await conn.query<{ c: string }>(
      "SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND LOWER(COLUMN_DEFAULT) LIKE 'current_timestamp%'",
      [schema, t],
    );
    return rows.map((r) => r.c).filter((c) => !seeded.has(c));
  };
  const digest = async (schema: string, t: string, skip: string[]) => {
    const cols = (
      await conn.query<{ c: string }>(
        'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [schema, t],
      )
    )
      .map((r) => r.c)
      .filter((c) => !skip.includes(c))
      .map((c) => quoteId(c));
    const hash = createHash('sha256');
    let rows = 0;
    for await (const row of conn.stream(`SELECT ${cols.join(', ')} FROM ${qualify(schema, t)} ORDER BY ${cols.join(', ')}`)) {
      rows++;
      hash.update(`${JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? v.toString('hex') : v === null ? null : String(v as string))))}\n`);
    }
    return { rows, sha: hash.digest('hex') };
  };

  it('has the same rows in every table (server-stamped load times and knex migration times aside)', async () => {
    let rows = 0;
    let stamped = 0;
    for (const t of copy.tables.filter((x) => !x.startsWith(MIGRATIONS_TABLE))) {
      const skip = await loadTimeColumns(fresh.database, t);
      const a = await digest(fresh.database, t, skip);
      expect(await digest(copy.database, t, skip), t).toEqual(a);
      rows += a.rows;
      for (const c of skip) {
        const [n] = await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(copy.database, t)} WHERE ${quoteId(c)} IS NULL`);
        expect(Number(n!.n), `${t}.${c}`).toBe(0);
        stamped++;
      }
    }
    expect(rows).toBeGreaterThan(1000);
    expect(stamped).toBeGreaterThan(0);
    const knexRows = (schema: string) =>
      conn.query(
        `SELECT id, name, batch, migration_time IS NOT NULL AS timed FROM ${qualify(schema, MIGRATIONS_TABLE)} ORDER BY id`,
      );
    const applied = await knexRows(fresh.database);
    expect(applied.length).toBeGreaterThan(0);
    expect(await knexRows(copy.database)).toEqual(applied);
    const lock = (schema: string) => conn.query(`SELECT * FROM ${qualify(schema, `${MIGRATIONS_TABLE}_lock`)}`);
    expect(await lock(copy.database)).toEqual(await lock(fresh.database));
  });

  it('has no views, triggers or routines, like a fresh schema', async () => {
    const count = async (schema: string) =>
      conn.query(
        `SELECT (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?) AS v,
                (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?) AS t,
                (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?) AS r`,
        [schema, schema, schema],
      );
    expect(await count(copy.database)).toEqual(await count(fresh.database));
  });

  it('hands out the next ids a fresh schema would, and keeps foreign keys enforced', async () => {
    const c = await copy.connector.connect();
    try {
      const insert = "INSERT INTO organizations (name) VALUES ('next id probe')";
      const a = await conn.execute(insert); // conn is on the fresh schema
      const b = await c.execute(insert);
      expect(a.insertId).toBeGreaterThan(1);
      expect(b.insertId).toBe(a.insertId);
      // A row that names a missing parent is refused in the copy: its foreign keys are live.
      await expect(
        c.execute("INSERT INTO contacts (organization_id, first_name, last_name, email) VALUES (999999999, 'x', 'y', 'z@example.com')"),
      ).rejects.toThrow(/foreign key/i);
    } finally {
      await c.close();
    }
  });
});
