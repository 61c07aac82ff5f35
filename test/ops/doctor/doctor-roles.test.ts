/**
 * `doctor`'s role checks against the real server: accounts made by `dualpipe grants --apply` pass;
 * an extra privilege warns, a missing one fails (naming it), a missing account warns, and a server
 * with no role account at all gets one warning.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnection } from '../../../src/db/connection.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { quoteId } from '../../../src/db/quote.js';
import type { DoctorCheck } from '../../../ops/doctor/doctor-check.js';
import { checkRoleAccounts } from '../../../ops/doctor/doctor-roles.js';
import { runGrants } from '../../../ops/grants/apply-grants.js';
import { grantSchema } from '../../../ops/grants/grant-plan.js';
import { ROLES } from '../../../ops/grants/role-privileges.js';
import { createTestDatabase, type TestDatabase, testPipeline } from '../../helpers/test-database.js';

const PREFIX = `dr${randomBytes(3).toString('hex')}_`;
let db: TestDatabase;
let root: SqlConnection;
let reportSchema: string;

const options = () => ({
  pipeline: testPipeline(db, reportSchema),
  prefix: PREFIX,
});

const byName = (checks: DoctorCheck[]) => Object.fromEntries(checks.map((c) => [c.name, c]));

beforeAll(async () => {
  db = await createTestDatabase('doctor_roles');
  reportSchema = `${db.database}_report`;
  root = await db.connector.connect({ database: null });
  await root.execute(`CREATE DATABASE ${quoteId(reportSchema)}`);
});

afterAll(async () => {
  for (const r of ROLES) await root?.execute(`DROP USER IF EXISTS '${PREFIX}${r}'@'%'`);
  await root?.close();
  await db?.drop();
});

describe('doctor: role accounts', () => {
  it('warns once when there is no role account at all', async () => {
    const checks = await checkRoleAccounts(options());
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ server: 'source', name: 'role accounts', verdict: 'warn' });
    expect(checks[0]!.detail).toContain(`no ${PREFIX}<role> account`);
    expect(checks[0]!.fix).toMatch(/dualpipe grants --apply/);
  });

  it('passes every account that `grants --apply` made', async () => {
    await runGrants({ ...options(), roles: ROLES, host: '%', env: {}, apply: true });
    const checks = await checkRoleAccounts(options());
    expect(checks.map((c) => [c.name, c.verdict])).toEqual(ROLES.map((r) => [`role ${r}`, 'pass']));
    expect(byName(checks)['role sync']!.detail).toContain(`'${PREFIX}sync'@'%' has exactly the privileges of its role`);
  });

  it('warns about privileges beyond the role, naming them', async () => {
    const analyst = `'${PREFIX}analyst'@'%'`;
    await root.execute(`GRANT SELECT ON ${grantSchema(db.database, true)}.* TO ${analyst}`);
    await root.execute(`GRANT PROCESS ON *.* TO ${analyst}`);
    const c = byName(await checkRoleAccounts(options()))['role analyst']!;
    expect(c.verdict).toBe('warn');
    expect(c.detail).toContain(`${analyst} has more than its role:`);
    expect(c.detail).toContain('PROCESS ON *.*');
    expect(c.detail).toContain(`SELECT ON \`${db.database.replaceAll('_', '\\_')}\`.*`);
    expect(c.fix).toContain('dualpipe grants --apply --roles analyst');
  });

  it('a global privilege covers what the role needs (then only warns), and a missing one fails naming it', async () => {
    const backup = `'${PREFIX}backup'@'%'`;
    await root.execute(`REVOKE LOCK TABLES ON ${grantSchema(reportSchema, true)}.* FROM ${backup}`);
    let c = byName(await checkRoleAccounts(options()))['role backup']!;
    expect(c.verdict).toBe('fail');
    expect(c.detail).toMatch(new RegExp(`lacks LOCK TABLES ON \`${reportSchema.replaceAll('_', '\\\\_')}\`\\.\\*$`));
    expect(c.fix).toContain('dualpipe grants --apply --roles backup');

    await root.execute(`GRANT LOCK TABLES ON *.* TO ${backup}`);
    c = byName(await checkRoleAccounts(options()))['role backup']!;
    expect(c.verdict).toBe('warn');
    expect(c.detail).toContain('has more than its role: LOCK TABLES ON *.*');
  });

  it('a table-level privilege the role needs fails when taken away', async () => {
    const backup = `'${PREFIX}backup'@'%'`;
    await root.execute(`REVOKE INSERT ON ${quoteId(`${reportSchema}__dualpipe`)}.${quoteId('_dualpipe_runs')} FROM ${backup}`);
    const c = byName(await checkRoleAccounts(options()))['role backup']!;
    expect(c.verdict).toBe('fail');
    expect(c.detail).toContain(`lacks INSERT ON \`${reportSchema}__dualpipe\`.\`_dualpipe_runs\``);
  });

  it('warns about a missing account when others exist', async () => {
    await root.execute(`DROP USER '${PREFIX}writer'@'%'`);
    const c = byName(await checkRoleAccounts(options()))['role writer']!;
    expect(c).toMatchObject({ verdict: 'warn', fix: 'dualpipe grants --apply --roles writer' });
    expect(c.detail).toContain(`no account ${PREFIX}writer`);
  });

  it('re-applying the grants makes every account pass again', async () => {
    await runGrants({ ...options(), roles: ROLES, host: '%', env: {}, apply: true });
    const checks = await checkRoleAccounts(options());
    expect(checks.filter((c) => c.verdict !== 'pass')).toEqual([]);
    expect(checks).toHaveLength(ROLES.length);
  });

  it('an account that cannot read the privilege tables gets one warning, not a crash', async () => {
    // A server doctor cannot reach is reported by the connection checks, not a second time here.
    const wrong = createConnector({ ...db.target, user: `${PREFIX}analyst`, password: 'wrong' });
    expect(await checkRoleAccounts({ ...options(), pipeline: { ...options().pipeline, source: wrong } })).toEqual([]);
    // With the right password but no access to mysql.user:
    await root.execute(`ALTER USER '${PREFIX}analyst'@'%' IDENTIFIED BY 'doctor-roles-pw'`);
    const t = { ...db.target, user: `${PREFIX}analyst`, password: 'doctor-roles-pw', database: reportSchema };
    const checks = await checkRoleAccounts({ ...options(), pipeline: { ...options().pipeline, source: createConnector(t) } });
    expect(checks).toEqual([expect.objectContaining({ name: 'role accounts', verdict: 'warn', fix: expect.stringContaining('administrative account') })]);
  });
});
