/**
 * No password in any log line or error: the compiled CLI runs as a child process with debug
 * logging, a password-protected account, and commands that succeed and fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { exitOf, spawnCli } from '../../helpers/spawn-cli.js';
import { createTestDatabase, type TestDatabase, testServerTarget } from '../../helpers/test-database.js';

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
): Promise<{ code: number | null; out: string }> {
  const child = spawnCli(['--log-level', 'debug', ...args], { DUALPIPE_LOG_LEVEL: 'debug', ...env });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await exitOf(child);
  return { code, out: stdout + child.stderrText() };
}

describe('secrets', () => {
  it('never appear in logs, JSON output or errors', async () => {
    const url = `mysql://dp_secret@${hostPort}/${db.database}`;
    const env = { DUALPIPE_SOURCE_PASSWORD: SECRET };
    const runs = [
      await run(['migrate', '--source', url, '--json'], env),
      await run(['seed', '--scale', '0.002', '--source', url], env),
      await run(['sync', '--source', url, '--json'], env),
      await run(['verify', '--source', url, '--json'], env),
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
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 0, 1, 2]);
    for (const r of runs) {
      expect(r.out.length).toBeGreaterThan(0);
      expect(r.out).not.toContain(SECRET);
    }
    // Debug logging really was on, so the check above covered log lines.
    expect(runs[2]!.out).toMatch(/"level":20|"level":30/);
  });
});
