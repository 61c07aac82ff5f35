import { describe, expect, it } from 'vitest';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { testServerTarget, testServerUrl } from '../../helpers/test-database.js';
import { checkKeylessTables, keylessVerdict } from '../../../ops/doctor/doctor-keyless.js';

describe('doctor', () => {
  it('passes on the test server, naming every check, with fixes for warnings', async () => {
    const r = await runCliCapture(['doctor', '--json', '--source', testServerUrl('mysql')]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; verdict: string; fix?: string }[] };
    expect(out.ok).toBe(true);
    const names = out.checks.map((c) => c.name);
    for (const n of ['version', 'InnoDB available', 'MyISAM available', 'local_infile', 'binary log', 'myisam_recover_options', 'GET_LOCK', 'TLS']) {
      expect(names).toContain(n);
    }
    expect(out.checks.find((c) => c.name === 'MyISAM available')!.verdict).toBe('pass');
    for (const c of out.checks.filter((x) => x.verdict !== 'pass')) expect(c.fix).toBeTruthy();
  });

  it('passes a server that enforces GTID consistency (MySQL with GTIDs on, as the MySQL test server runs)', async () => {
    const r = await runCliCapture(['doctor', '--json', '--source', testServerUrl('mysql')]);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: { name: string; verdict: string }[] };
    const conn = await createConnector(testServerTarget()).connect({ database: null });
    const enforced = await conn
      .query<{ v: string }>('SELECT @@GLOBAL.enforce_gtid_consistency AS v')
      .then((rows) => String(rows[0]?.v ?? 'OFF'), () => 'OFF'); // MariaDB has no such variable
    await conn.close();
    const line = out.checks.find((c) => c.name === 'enforce_gtid_consistency');
    if (enforced === 'OFF') expect(line).toBeUndefined();
    else expect(line).toMatchObject({ verdict: 'pass' });
    expect(out.ok).toBe(true);
  });

  it('fails with one line when the server is unreachable', async () => {
    const r = await runCliCapture(['doctor', '--source', 'mysql://root@127.0.0.1:1/crm']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('doctor on MySQL primary-key settings', () => {
  it('says nothing when they are off, passes when the account can turn them off, warns with the grant when it cannot', () => {
    expect(keylessVerdict({ on: [], canTurnOff: false })).toBeUndefined();
    expect(keylessVerdict({ on: ['sql_require_primary_key'], canTurnOff: true })).toMatchObject({ verdict: 'pass' });
    expect(keylessVerdict({ on: ['sql_generate_invisible_primary_key'], canTurnOff: false })).toMatchObject({
      verdict: 'warn',
      fix: expect.stringContaining('SESSION_VARIABLES_ADMIN'),
    });
  });

  it('reads the session and really turns the settings off (MySQL; MariaDB has neither)', async () => {
    const conn = await createConnector(testServerTarget()).connect({ database: null });
    try {
      const mysql = await conn.execute('SET SESSION sql_require_primary_key = ON').then(() => true, () => false);
      const check = await checkKeylessTables(conn);
      if (!mysql) return expect(check).toBeUndefined();
      expect(check).toMatchObject({ verdict: 'pass', detail: expect.stringContaining('sql_require_primary_key=ON') });
      expect(Number((await conn.query<{ v: number | string }>('SELECT @@SESSION.sql_require_primary_key AS v'))[0]!.v)).toBe(0);
    } finally {
      await conn.close();
    }
  });
});
