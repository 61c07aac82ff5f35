/**
 * CRM fixtures by copy: each (scale, seed) is migrated and seeded once per vitest run into a
 * template schema, and every fixture gets a copy of it (tables from `SHOW CREATE TABLE`, rows by
 * `INSERT … SELECT`). knex migrations (0.7–1.3 s) and the seed (0.35–1 s) ran ~40 times a run;
 * a copy takes a fraction of that. test/helpers/crm-template.test.ts proves a copy
 * indistinguishable from a freshly migrated and seeded schema on both servers.
 *
 * Workers build a template lazily, under a `GET_LOCK` named after it, so two workers never build
 * the same one; the global setup names the run (`crmTemplateTag`) and drops the templates at the end.
 */
import { inject } from 'vitest';
import { migrate, seed } from '../../schema/index.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { testServerTarget } from './test-database.js';

/** The prefix of every template schema of this vitest run (the global setup drops them). */
export function crmTemplatePrefix(): string {
  return `dpt_tpl_${inject('crmTemplateTag')}`;
}

/** The template schema's name for a scale and seed, e.g. `dpt_tpl_ab12cd_0_01_s7`. */
export function crmTemplateName(scale: number, seedValue: number): string {
  return `${crmTemplatePrefix()}_${String(scale).replace(/\W/g, '_')}_s${seedValue}`;
}

async function schemaExists(conn: SqlConnection, schema: string): Promise<boolean> {
  const rows = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [schema]);
  return rows.length > 0;
}

/**
 * Builds the template for (scale, seed) unless this run already has it; returns its name.
 * A finished template has a sibling schema `<name>_ok`, created last: a builder that died
 * halfway leaves no `_ok`, and the next caller drops the half-built template and starts again.
 */
export async function ensureCrmTemplate(scale: number, seedValue: number): Promise<string> {
  const name = crmTemplateName(scale, seedValue);
  const server = testServerTarget();
  const conn = await createConnector(server).connect({ database: null });
  try {
    // GET_LOCK names are at most 64 characters; template names are far shorter.
    const [got] = await conn.query<{ got: number | null }>('SELECT GET_LOCK(?, 600) AS got', [name]);
    if (Number(got?.got) !== 1) throw new Error(`could not lock CRM template ${name}`);
    if (!(await schemaExists(conn, `${name}_ok`))) {
      await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(name)}`);
      await conn.execute(`CREATE DATABASE ${quoteId(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
      const target = { ...server, database: name };
      await migrate(target);
      await seed(createConnector(target), { scale, seed: seedValue });
      await conn.execute(`CREATE DATABASE ${quoteId(`${name}_ok`)}`);
    }
    await conn.query('SELECT RELEASE_LOCK(?)', [name]);
  } finally {
    await conn.close();
  }
  return name;
}

/**
 * MySQL fact (9.7): `SHOW CREATE TABLE` prints `COLLATE utf8mb4_unicode_ci` on a column that only
 * inherits the table's collation (it is not utf8mb4's default collation), and running that text makes
 * the collation explicit, which prints as `CHARACTER SET utf8mb4 COLLATE …` from then on. Dropping a
 * column's COLLATE equal to the table's (when no CHARACTER SET is given) makes the column inherit it
 * again, as in the original. MariaDB prints a column COLLATE only when it differs: nothing to drop.
 */
function withInheritedCollations(createTable: string): string {
  const table = /\) ENGINE=.*\bCOLLATE=(\w+)/.exec(createTable)?.[1];
  if (!table) return createTable;
  return createTable.replace(
    new RegExp(`^(  \`[^\n]*?)(?<!CHARACTER SET \\w+) COLLATE ${table}\\b`, 'gm'),
    '$1',
  );
}

/**
 * Copies every table of `from` into the existing, empty schema `to`: definitions by `SHOW CREATE
 * TABLE` (foreign keys included: constraint names are per schema on MariaDB and MySQL, and a
 * reference inside one schema prints without a schema name, so it points into the copy), rows by
 * `INSERT … SELECT` with foreign_key_checks off in this one session (tables in any order).
 * AUTO_INCREMENT counters: `SHOW CREATE TABLE` prints the counter (`AUTO_INCREMENT=n`) and rows
 * inserted with explicit ids below it leave it alone, so the copy's counters equal the template's.
 * Stored generated columns are left out of the insert (the server recomputes them).
 * Refuses schemas with views, triggers or routines, which this copy would not carry.
 */
export async function copySchema(conn: SqlConnection, from: string, to: string): Promise<void> {
  const extras = await conn.query<{ kind: string; n: string }>(
    `SELECT 'view' AS kind, TABLE_NAME AS n FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?
     UNION ALL SELECT 'trigger', TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?
     UNION ALL SELECT 'routine', ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?`,
    [from, from, from],
  );
  if (extras.length > 0) {
    throw new Error(`copySchema ${from}: views/triggers/routines are not copied: ${extras.map((e) => `${e.kind} ${e.n}`).join(', ')}`);
  }
  const tables = await conn.query<{ t: string }>(
    "SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1",
    [from],
  );
  // GENERATION_EXPRESSION: '' on MySQL and NULL on MariaDB for an ordinary column.
  const cols = await conn.query<{ t: string; c: string }>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND COALESCE(GENERATION_EXPRESSION, '') = '' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [from],
  );
  await conn.execute('SET SESSION foreign_key_checks = 0, unique_checks = 0');
  try {
    await conn.execute(`USE ${quoteId(to)}`);
    for (const { t } of tables) {
      const [def] = await conn.query<{ 'Create Table': string }>(`SHOW CREATE TABLE ${qualify(from, t)}`);
      await conn.execute(withInheritedCollations(def!['Create Table']));
      const list = cols.filter((c) => c.t === t).map((c) => quoteId(c.c)).join(', ');
      await conn.execute(`INSERT INTO ${qualify(to, t)} (${list}) SELECT ${list} FROM ${qualify(from, t)}`);
    }
  } finally {
    await conn.execute('SET SESSION foreign_key_checks = 1, unique_checks = 1');
  }
}
