/**
 * No password in any log line or error: the compiled CLI runs as a child process with debug
 * logging, a password-protected account, and commands that succeed and fail. Nor in the argv or
 * environment of a process the CLI starts (the embedded server).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/db/mysql-driver.js';
import { exitOf, spawnCli } from '../helpers/spawn-cli.js';
import { createTestDatabase, type TestDatabase, testServerTarget } from '../helpers/test-database.js';

const SECRET = 'S3cret-Passw0rd-for-logs';
let db: TestDatabase;
let hostPort: string;

beforeAll(async () => {
  db = await createTestDatabase('secrets');
  const t = testServerTarget();
  hostPort = `${t.host}:${t.port}`;
  const conn = await db.connector.connect();
  await conn.execute(`CREATE USER IF NOT EXISTS 'dp_secret'@'127.0.0.1' IDENTIFIED BY '${SECRET}'`);
  await conn.execute(`GRANT ALL ON \`${db.database}\`.* TO 'dp_secret'@'127.0.0.1'`);
  await conn.execute(`GRANT ALL ON \`${db.database}_report\`.* TO 'dp_secret'@'127.0.0.1'`);
  await conn.execute(`GRANT ALL ON \`${db.database}_report__dualpipe\`.* TO 'dp_secret'@'127.0.0.1'`);
  await conn.close();
});

afterAll(async () => {
  const conn = await createConnector(testServerTarget()).connect({ database: null });
  await conn.execute("DROP USER IF EXISTS 'dp_secret'@'127.0.0.1'");
  await conn.close();
  await db.drop();
});

async function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; stdout: string }> {
  const child = spawnCli(['--log-level', 'debug', ...args], { DUALPIPE_LOG_LEVEL: 'debug', ...env });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await exitOf(child);
  return { code, out: stdout + child.stderrText(), stdout };
}

describe('secrets', () => {
  it('never appear in logs, JSON output, errors, the run history or a backup', async () => {
    const backups = mkdtempSync(join(tmpdir(), 'dp-secrets-backup-'));
    const url = `mysql://dp_secret@${hostPort}/${db.database}`;
    const env = { DUALPIPE_SOURCE_PASSWORD: SECRET };
    const runs = [
      await run(['migrate', '--source', url, '--json'], env),
      await run(['seed', '--scale', '0.002', '--source', url], env),
      await run(['sync', '--source', url, '--json'], env),
      await run(['verify', '--source', url, '--json'], env),
      await run(['backup', '--to', backups, '--compress', 'none', '--source', url, '--json'], env),
      // The password in the URL itself, and a failing login.
      await run(
        ['migrate', '--status', '--source', `mysql://dp_secret:${SECRET}@${hostPort}/${db.database}`],
        {},
      ),
      await run(['migrate', '--source', `mysql://dp_secret:${SECRET}x@${hostPort}/${db.database}`], {}),
      await run(
        ['sync', '--source', `mysql://dp_secret:${SECRET}@${hostPort}/${db.database}`, '--tables', 'nope'],
        {},
      ),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
    for (const r of runs) {
      expect(r.out.length).toBeGreaterThan(0);
      expect(r.out).not.toContain(SECRET);
    }
    // Debug logging really was on, so the check above covered log lines.
    expect(runs[2]!.out).toMatch(/"level":20|"level":30/);
    // Nor in the run history, nor in any file of the backup (manifest included).
    const conn = await db.connector.connect();
    const history = await conn.query(`SELECT * FROM \`${db.database}_report__dualpipe\`._dualpipe_runs`);
    await conn.close();
    expect(history.length).toBeGreaterThan(0);
    expect(JSON.stringify(history)).not.toContain(SECRET);
    const files = readdirSync(backups, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.some((f) => f.name === 'manifest.json')).toBe(true);
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name)).includes(SECRET)).toBe(false);
    rmSync(backups, { recursive: true, force: true });
  });

  it('never reach the argv or environment of a process the CLI starts', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dp-secrets-server-'));
    const env = {
      DUALPIPE_SERVER_DIR: join(cwd, 'db'),
      DUALPIPE_SOURCE_PASSWORD: SECRET,
      DUALPIPE_REPORT_URL: `mysql://dp_secret:${SECRET}@${hostPort}/r`,
      MYSQL_PWD: SECRET,
    };
    try {
      const start = await run(['--source', `mysql://dp_secret:${SECRET}@${hostPort}/crm`, 'db', 'start', '--json'], env);
      expect(start.code, start.out).toBe(0);
      expect(start.out).not.toContain(SECRET);
      const { pid } = JSON.parse(start.stdout) as { pid: number };
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      expect(cmdline).toMatch(/mariadbd|mysqld/);
      expect(cmdline).not.toContain(SECRET);
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      expect(environ).not.toContain(SECRET);
      expect(environ).not.toMatch(/DUALPIPE_|MYSQL_PWD/);
    } finally {
      await run(['db', 'stop'], { DUALPIPE_SERVER_DIR: join(cwd, 'db') });
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
