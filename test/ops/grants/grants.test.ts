/** The grants planner, without a server: statement shapes, quoting, masking and bad input. */
import { describe, expect, it } from 'vitest';
import { type GrantPlanInput, grantSchema, planGrants } from '../../../ops/grants/grant-plan.js';
import { parseRoles, ROLES } from '../../../ops/grants/role-privileges.js';
import { UsageError } from '../../../src/errors.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';

const base: GrantPlanInput = {
  roles: ROLES,
  sourceSchema: 'crm',
  reportSchema: 'crm_report',
  host: '%',
  prefix: 'dp_',
  passwords: Object.fromEntries(ROLES.map((r) => [r, { value: `pw-${r}`, from: 'generated' as const }])),
  existing: new Set(),
  tables: new Set(['crm.__dp_changes', 'crm_report__dualpipe._dualpipe_runs']),
  wildcards: true,
  capture: 'triggers',
  server: 'both',
};

const sqlOf = (input: Partial<GrantPlanInput>, role: string) => planGrants({ ...base, ...input }).find((a) => a.role === role)!.statements;

describe('grants planner', () => {
  it('gives each role only its own privileges', () => {
    const plans = planGrants(base);
    expect(plans.map((p) => p.user)).toEqual(['dp_writer', 'dp_sync', 'dp_analyst', 'dp_backup', 'dp_restore']);
    const grants = Object.fromEntries(plans.map((p) => [p.role, p.statements.slice(1).map((s) => s.sql)]));
    expect(grants.writer).toEqual(["GRANT SELECT, INSERT, UPDATE, DELETE ON `crm`.* TO 'dp_writer'@'%'"]);
    expect(grants.sync).toEqual([
      "GRANT SELECT ON `crm`.* TO 'dp_sync'@'%'",
      "GRANT TRIGGER ON `crm`.* TO 'dp_sync'@'%'",
      "GRANT DELETE ON `crm`.`__dp_changes` TO 'dp_sync'@'%'",
      "GRANT PROCESS ON *.* TO 'dp_sync'@'%'",
      "GRANT REPLICATION CLIENT ON *.* TO 'dp_sync'@'%'",
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES, CREATE VIEW, SHOW VIEW ON `crm\\_report`.* TO 'dp_sync'@'%'",
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES ON `crm\\_report\\_\\_dualpipe`.* TO 'dp_sync'@'%'",
    ]);
    // mysql.gtid_executed only where it exists (MySQL), without a note where it does not (MariaDB).
    expect(plans.find((p) => p.role === 'sync')!.notes.join()).not.toMatch(/gtid_executed/);
    const onMysql = planGrants({ ...base, tables: new Set([...base.tables, 'mysql.gtid_executed']) }).find((p) => p.role === 'sync')!;
    expect(onMysql.statements.map((x) => x.sql)).toContain("GRANT SELECT ON `mysql`.`gtid_executed` TO 'dp_sync'@'%'");
    expect(grants.analyst).toEqual(["GRANT SELECT ON `crm\\_report`.* TO 'dp_analyst'@'%'"]);
    expect(grants.backup).toEqual([
      "GRANT SELECT, LOCK TABLES ON `crm\\_report`.* TO 'dp_backup'@'%'",
      // The run history lives in the internal schema; the analyst has no grant there at all.
      "GRANT SELECT, INSERT, UPDATE, CREATE ON `crm_report__dualpipe`.`_dualpipe_runs` TO 'dp_backup'@'%'",
      // The report-side copy of the erasure ledger, which every backup carries.
      "GRANT SELECT ON `crm\\_report\\_\\_dualpipe`.* TO 'dp_backup'@'%'",
    ]);
    expect(grants.restore).toEqual([
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, TRIGGER ON `crm`.* TO 'dp_restore'@'%'",
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, TRIGGER ON `crm\\_\\_dp\\_%`.* TO 'dp_restore'@'%'",
      // The erasure ledger: read and appended, never changed (no UPDATE, DELETE or DROP).
      "GRANT SELECT, INSERT, CREATE, TRIGGER ON `crm\\_\\_dualpipe`.* TO 'dp_restore'@'%'",
    ]);
    // Nobody but the sync and the restore writes anywhere near the source; nobody gets GRANT OPTION or FILE.
    for (const p of plans) expect(p.statements.map((s) => s.sql).join('\n')).not.toMatch(/GRANT OPTION|\bFILE\b|\bSUPER\b|ALL PRIVILEGES ON/);
  });

  it('gives the sync account of binlog capture REPLICATION SLAVE instead of TRIGGER and the change log', () => {
    const sync = sqlOf({ capture: 'binlog' }, 'sync').slice(1).map((s) => s.sql);
    expect(sync).toContain("GRANT REPLICATION SLAVE ON *.* TO 'dp_sync'@'%'");
    expect(sync).toContain("GRANT REPLICATION CLIENT ON *.* TO 'dp_sync'@'%'");
    expect(sync.join('\n')).not.toMatch(/TRIGGER|__dp_changes|SUPER/);
    expect(sqlOf({}, 'sync').map((s) => s.sql).join('\n')).not.toMatch(/REPLICATION SLAVE/);
    // The other roles do not depend on the capture method.
    for (const role of ['writer', 'analyst', 'backup', 'restore']) expect(sqlOf({ capture: 'binlog' }, role)).toEqual(sqlOf({}, role));
  });

  it('gives the sync account SLAVE MONITOR on a MariaDB replica only, where --max-lag needs it to read the replica status', () => {
    for (const capture of ['triggers', 'binlog'] as const) {
      expect(sqlOf({ capture, replicaStatus: true }, 'sync').map((s) => s.sql)).toContain("GRANT SLAVE MONITOR ON *.* TO 'dp_sync'@'%'");
      expect(sqlOf({ capture }, 'sync').map((s) => s.sql).join('\n')).not.toMatch(/MONITOR/);
    }
    // Global grants live on the source server: a report server that is a replica gets none.
    expect(sqlOf({ replicaStatus: true, server: 'report' }, 'sync').map((s) => s.sql).join('\n')).not.toMatch(/MONITOR/);
    for (const role of ['writer', 'analyst', 'backup', 'restore']) expect(sqlOf({ replicaStatus: true }, role)).toEqual(sqlOf({}, role));
  });

  it('creates new accounts with the password and prints it masked', () => {
    const [create] = sqlOf({}, 'sync');
    expect(create!.sql).toBe("CREATE USER IF NOT EXISTS 'dp_sync'@'%' IDENTIFIED BY 'pw-sync'");
    expect(create!.shown).toBe("CREATE USER IF NOT EXISTS 'dp_sync'@'%' IDENTIFIED BY '***'");
    for (const p of planGrants(base)) for (const s of p.statements) expect(s.shown).not.toContain('pw-');
  });

  it('resets an existing account to exactly the role, keeping its password unless one is given', () => {
    const kept = sqlOf({ existing: new Set(['analyst']), passwords: {}, roles: ['analyst'] }, 'analyst');
    expect(kept.map((s) => s.sql)).toEqual([
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'dp_analyst'@'%'",
      "GRANT SELECT ON `crm\\_report`.* TO 'dp_analyst'@'%'",
    ]);
    const reset = sqlOf({ existing: new Set(['analyst']), passwords: { analyst: { value: 'new', from: 'env' } }, roles: ['analyst'] }, 'analyst');
    expect(reset[0]!.sql).toBe("ALTER USER 'dp_analyst'@'%' IDENTIFIED BY 'new'");
    expect(reset[0]!.shown).toBe("ALTER USER 'dp_analyst'@'%' IDENTIFIED BY '***'");
  });

  it('quotes hostile passwords and escapes wildcards in schema names', () => {
    const [create] = sqlOf({ passwords: { writer: { value: "a'b\\c`d", from: 'env' } }, roles: ['writer'] }, 'writer');
    expect(create!.sql).toBe("CREATE USER IF NOT EXISTS 'dp_writer'@'%' IDENTIFIED BY 'a''b\\\\c`d'");
    expect(grantSchema('t_a%b', true)).toBe('`t\\_a\\%b`');
    expect(grantSchema('t_a', false)).toBe('`t_a`');
    const literal = sqlOf({ wildcards: false, roles: ['restore'] }, 'restore').map((s) => s.sql);
    expect(literal).toContain("GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, TRIGGER ON `crm__dp_restore`.* TO 'dp_restore'@'%'");
    expect(literal.filter((s) => s.includes('__dp_'))).toHaveLength(3);
  });

  it('grants the hashed staging names of a long source schema', () => {
    const long = 's'.repeat(60);
    const sql = sqlOf({ sourceSchema: long, reportSchema: 'r', roles: ['restore'] }, 'restore').map((s) => s.sql);
    expect(sql.filter((s) => s.includes('dp\\_'))).toHaveLength(4);
  });

  it('leaves out a grant on a table that does not exist yet, with a note', () => {
    const plan = planGrants({ ...base, tables: new Set(), roles: ['sync'] })[0]!;
    expect(plan.statements.some((s) => s.sql.includes('__dp_changes'))).toBe(false);
    expect(plan.notes.join()).toMatch(/capture install/);
  });

  it('warns when the binary log keeps the restore account from creating triggers', () => {
    expect(planGrants({ ...base, roles: ['restore'] })[0]!.notes).toEqual([]);
    expect(planGrants({ ...base, roles: ['restore'], triggersNeedSuper: true })[0]!.notes.join()).toMatch(/log_bin_trust_function_creators/);
  });

  it('splits the grants between a source and a report server', () => {
    const source = sqlOf({ server: 'source' }, 'sync').map((s) => s.sql);
    const report = sqlOf({ server: 'report' }, 'sync').map((s) => s.sql);
    expect(source.some((s) => s.includes('crm\\_report'))).toBe(false);
    expect(report.filter((s) => s.startsWith('GRANT'))).toEqual([
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES, CREATE VIEW, SHOW VIEW ON `crm\\_report`.* TO 'dp_sync'@'%'",
      "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, LOCK TABLES ON `crm\\_report\\_\\_dualpipe`.* TO 'dp_sync'@'%'",
    ]);
    expect(sqlOf({ server: 'report' }, 'writer').filter((s) => s.sql.startsWith('GRANT'))).toEqual([]);
  });

  it('refuses bad roles, prefixes and hosts', async () => {
    expect(parseRoles('sync, Analyst')).toEqual({ roles: ['sync', 'analyst'], unknown: [] });
    expect(parseRoles('sync,root').unknown).toEqual(['root']);
    expect(() => planGrants({ ...base, prefix: "dp'" })).toThrow(UsageError);
    expect(() => planGrants({ ...base, host: "x' OR 1" })).toThrow(UsageError);
    expect(() => planGrants({ ...base, prefix: 'p'.repeat(25) })).toThrow(/prefix/);
    for (const argv of [['--roles', 'sync,root'], ['--prefix', 'a b'], ['--host', "'"]]) {
      const r = await runCliCapture(['grants', ...argv, '--source', 'mysql://root@127.0.0.1:1/crm']);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
