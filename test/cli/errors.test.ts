import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/db/mysql-driver.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { createTestDatabase, type TestDatabase, testServerTarget } from '../helpers/test-database.js';

const SECRET = 'Right-Pa55word-xyz';
let db: TestDatabase;
let host: string;
const emptyDir = mkdtempSync(join(tmpdir(), 'dp-cli-'));

/** Every error is one line (no stack), on stderr, without the secret. */
function expectOneCleanLine(stderr: string): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^dualpipe: /);
  expect(stderr).not.toContain(SECRET);
  expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

beforeAll(async () => {
  db = await createTestDatabase('cli_errors');
  const t = testServerTarget();
  host = `${t.host}:${t.port}`;
  const conn = await db.connector.connect();
  await conn.execute("CREATE USER IF NOT EXISTS 'dp_pw_user'@'%' IDENTIFIED BY 'Right-Pa55word-xyz'");
  await conn.execute("CREATE USER IF NOT EXISTS 'dp_pw_user'@'127.0.0.1' IDENTIFIED BY 'Right-Pa55word-xyz'");
  await conn.execute(`GRANT ALL ON \`${db.database}\`.* TO 'dp_pw_user'@'127.0.0.1'`);
  await conn.close();
});

afterAll(async () => {
  const conn = await createConnector(testServerTarget()).connect({ database: null });
  await conn.execute("DROP USER IF EXISTS 'dp_pw_user'@'%', 'dp_pw_user'@'127.0.0.1'");
  await conn.close();
  await db.drop();
});

describe('CLI errors: one clear line, right exit code', () => {
  it('unknown flag exits 2', async () => {
    const r = await runCliCapture(['sync', '--frobnicate'], {}, emptyDir);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('unknown command suggests the right one', async () => {
    const r = await runCliCapture(['sycn'], {}, emptyDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sync/);
  });

  it('malformed URL exits 2 without echoing it', async () => {
    const r = await runCliCapture(
      ['migrate', '--source', `mysql://u:${SECRET}@h:notaport/crm`],
      {},
      emptyDir,
    );
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/source URL: malformed URL/);
  });

  it('wrong password exits 1 and names the fix, never the password', async () => {
    const r = await runCliCapture(
      ['migrate', '--source', `mysql://dp_pw_user:wrong-${SECRET}@${host}/${db.database}`],
      {},
      emptyDir,
    );
    expect(r.code).toBe(1);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/access denied/);
    const env = await runCliCapture(
      ['migrate', '--status', '--source', `mysql://dp_pw_user@${host}/${db.database}`],
      {
        DUALPIPE_SOURCE_PASSWORD: `${SECRET}-bad`,
      },
    );
    expect(env.code).toBe(1);
    expect(env.stderr).not.toContain(SECRET);
  });

  it('the right password from the environment works', async () => {
    const r = await runCliCapture(
      ['migrate', '--status', '--source', `mysql://dp_pw_user@${host}/${db.database}`],
      {
        DUALPIPE_SOURCE_PASSWORD: SECRET,
      },
    );
    expect(r.stderr).not.toContain(SECRET);
    expect(r.code).toBe(0);
  });

  it('debug mode shows a stack trace but still no password', async () => {
    const r = await runCliCapture(
      [
        '--log-level',
        'debug',
        'migrate',
        '--source',
        `mysql://dp_pw_user:wrong-${SECRET}@${host}/${db.database}`,
      ],
      { DUALPIPE_LOG_LEVEL: 'debug' },
      emptyDir,
    );
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').length).toBeGreaterThan(2);
    expect(r.stderr).not.toContain(SECRET);
  });

  it('unreachable host exits 1', async () => {
    const r = await runCliCapture(['migrate', '--source', 'mysql://root@127.0.0.1:1/crm'], {}, emptyDir);
    expect(r.code).toBe(1);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/connection refused/);
  });

  it('missing schema exits 2 and suggests migrate', async () => {
    const r = await runCliCapture(
      ['verify', '--source', `mysql://root@${host}/no_such_schema_x`],
      {},
      emptyDir,
    );
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/does not exist/);
  });

  it('unknown config key exits 2 and names the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-cfg-'));
    writeFileSync(join(dir, 'dualpipe.config.json'), JSON.stringify({ sync: { treads: 2 } }));
    const r = await runCliCapture(['sync', '--source', `mysql://root@${host}/${db.database}`], {}, dir);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/unknown key sync\.treads/);
  });

  it('invalid scale exits 2', async () => {
    for (const scale of ['0', '-1', 'abc', 'NaN']) {
      const r = await runCliCapture(
        ['seed', '--scale', scale, '--source', `mysql://root@${host}/${db.database}`],
        {},
        emptyDir,
      );
      expect(r.code).toBe(2);
      expectOneCleanLine(r.stderr);
      expect(r.stderr).toMatch(/invalid --scale/);
    }
  });

  it('a DUALPIPE_SERVER_BINARY that is not there exits 1 and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dp-nobin-'));
    const r = await runCliCapture(['db', 'start'], { DUALPIPE_SERVER_BINARY: '/nonexistent/mariadbd' }, dir);
    expect(r.code).toBe(1);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/DUALPIPE_SERVER_BINARY \/nonexistent\/mariadbd is not an executable file/);
  });

  it('db start --server with an unknown server exits 2', async () => {
    const r = await runCliCapture(['db', 'start', '--server', 'postgres'], {}, emptyDir);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/--server must be mysql or mariadb/);
  });

  it('no source and no embedded server exits 2 with what to do', async () => {
    const r = await runCliCapture(['migrate'], {}, emptyDir);
    expect(r.code).toBe(2);
    expectOneCleanLine(r.stderr);
    expect(r.stderr).toMatch(/dualpipe db start/);
  });
});
