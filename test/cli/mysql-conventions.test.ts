/**
 * Connecting as every MySQL tool does, through the compiled CLI with HOME pointed at a scratch
 * folder: only a ~/.my.cnf, a socket-only login, --host/--port/--user flags, MYSQL_PWD with its
 * warning, a bare -p without a terminal, a `#` in a URL password, ~/.mylogin.cnf login paths and -D. The account has a password
 * with quotes, `#` and a space, so the option-file quoting is exercised against the real server.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeOptionValue } from '../../src/config/option-file-syntax.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import { embeddedServerStatus } from '../../src/server/embedded-server.js';
import { writeLoginPathFile } from '../helpers/login-path-writer.js';
import { exitOf, spawnCli } from '../helpers/spawn-cli.js';
import { createTestDatabase, type TestDatabase, testServerTarget } from '../helpers/test-database.js';

const USER = 'dp_mycnf';
const SECRET = `p#ss w"rd;'x`;
let db: TestDatabase;
let home: string;
let host: string;
let port: number;

beforeAll(async () => {
  db = await createTestDatabase('mycnf');
  const t = testServerTarget();
  host = t.host!;
  port = t.port!;
  home = mkdtempSync(join(tmpdir(), 'dp-home-'));
  const conn = await db.connector.connect();
  // A socket login arrives as 'user'@'localhost', a TCP one as 'user'@'127.0.0.1'.
  for (const h of ['localhost', '127.0.0.1']) {
    await conn.execute(`CREATE USER IF NOT EXISTS '${USER}'@'${h}' IDENTIFIED BY ?`, [SECRET]);
    await conn.execute(`GRANT ALL ON \`${db.database}\`.* TO '${USER}'@'${h}'`);
    await conn.execute(`GRANT ALL ON \`${db.database}_report\`.* TO '${USER}'@'${h}'`);
  }
  await conn.close();
});

afterAll(async () => {
  const conn = await createConnector(testServerTarget()).connect({ database: null });
  for (const h of ['localhost', '127.0.0.1']) await conn.execute(`DROP USER IF EXISTS '${USER}'@'${h}'`);
  await conn.close();
  await db?.drop();
  if (home) rmSync(home, { recursive: true, force: true });
});

function writeMyCnf(lines: string[]): void {
  const path = join(home, '.my.cnf');
  writeFileSync(path, `${lines.join('\n')}\n`);
  chmodSync(path, 0o600);
}

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, { HOME: home, DUALPIPE_LOG_LEVEL: 'warn', ...env });
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await exitOf(child);
  return { code, stdout, stderr: child.stderrText() };
}

/** `migrate --status --json` connects to the source and lists the migrations. */
const probe = ['migrate', '--status', '--json'];

describe('connecting like the MySQL client', () => {
  it('connects with the credentials only in ~/.my.cnf [client] (quoted password), and keeps the password out of the output', async () => {
    writeMyCnf(['[client]', `user = ${USER}`, `password = ${encodeOptionValue(SECRET)}  # quoted`, `host=${host}`, `port=${port}`]);
    const r = await run([...probe, '--source', `mysql://${host}/${db.database}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    // Without the option file, the same command has no password and fails to log in.
    const none = await run([...probe, '--no-defaults', '--source', `mysql://${host}/${db.database}`, '-P', String(port), '-u', USER]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/Access denied/i);
    expect(none.stdout + none.stderr).not.toContain(SECRET);
  });

  it('logs in over the socket only (--socket; the URL names just localhost and the schema)', async () => {
    const dir = inject('testServerDir');
    expect(dir, 'the test server is the embedded one, with a socket').not.toBe('');
    const socket = embeddedServerStatus({ dir })!.socket;
    writeMyCnf(['[client]', `user=${USER}`, `password=${encodeOptionValue(SECRET)}`]);
    // The URL only names the schema; --socket (a higher layer) decides where the server is.
    const r = await run([...probe, '--socket', socket, '--source', `mysql://localhost/${db.database}`]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('takes --host/--port/--user flags over the option file, and MYSQL_PWD over it with a warning', async () => {
    writeMyCnf(['[client]', 'user=nobody', 'password=wrong', 'host=nowhere.invalid', 'port=1']);
    const r = await run([...probe, '--source', `mysql://localhost/${db.database}`, '--host', host, '--port', String(port), '--user', USER], {
      MYSQL_PWD: SECRET,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: using the password in MYSQL_PWD/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('refuses a bare -p without a terminal in one line, and explains a # in a URL password', async () => {
    writeMyCnf(['[client]', `host=${host}`, `port=${port}`]);
    const p = await run([...probe, '-p', '-u', USER, '--source', `mysql://${host}/${db.database}`]);
    expect(p.code).toBe(2);
    expect(p.stderr.trim().split('\n')[0]).toMatch(/--password without a value asks on a terminal/);
    const url = await run([...probe, '--source', `mysql://${USER}:ab#cd@${host}:${port}/${db.database}`]);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/the password contains # \/ \? or a space/);
    expect(url.stderr).toMatch(/percent-encode it .* option file/);
    expect(url.stderr).not.toContain('ab#cd');
  });

  it('ignores a world-writable ~/.my.cnf with a warning', async () => {
    writeMyCnf(['[client]', `user=${USER}`, `password=${encodeOptionValue(SECRET)}`, `host=${host}`, `port=${port}`]);
    chmodSync(join(home, '.my.cnf'), 0o666);
    const r = await run([...probe, '--source', `mysql://${USER}@${host}:${port}/${db.database}`]);
    expect(r.stderr).toMatch(/World-writable option file .*\.my\.cnf is ignored/);
    // Its password was not used.
    expect(r.stderr).toMatch(/Access denied/i);
  });

  it('logs in with ~/.mylogin.cnf (--login-path), over ~/.my.cnf, and takes the schema from -D', async () => {
    writeMyCnf(['[client]', 'user=nobody', 'password=wrong', `host=${host}`, `port=${port}`]);
    const login = join(home, '.mylogin.cnf');
    writeLoginPathFile(login, ['[client]', `user = "${USER}"`, '[ops]', `password = ${encodeOptionValue(SECRET)}`].join('\n'));
    try {
      // Connection flags before the command name work too, as DBAs type `mysql --login-path=ops -D db`.
      const r = await run(['--login-path=ops', '-D', db.database, ...probe]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(SECRET);
      // Without the login path's password, [client] of ~/.mylogin.cnf still sets the user: denied for it.
      const plain = await run([...probe, '-D', db.database]);
      expect(plain.stderr).toMatch(new RegExp(`${USER}@127\\.0\\.0\\.1:\\d+/${db.database}: access denied`));
      const skipped = await run([...probe, '--login-path', 'ops', '--no-login-paths', '-D', db.database]);
      expect(skipped.stderr).toMatch(/nobody@127\.0\.0\.1:\d+\/\S+: access denied/);
      const missing = await run([...probe, '--login-path', 'nope', '-D', db.database]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/--login-path nope: no such login path/);
    } finally {
      rmSync(login, { force: true });
    }
  });
});
