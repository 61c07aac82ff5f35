/**
 * TLS to the server, against a throwaway mariadbd/mysqld started with certificates made here with
 * openssl. The shared test server serves as the server without TLS (the embedded one and the
 * testcontainers one are started without it); a DUALPIPE_TEST_URL server that offers TLS is replaced
 * for that part by a plain server of the same kind started here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMysqlUrl } from '../../../src/config/parse-url.js';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { ConnectionError, TlsError } from '../../../src/errors.js';
import { startEmbeddedServer, stopEmbeddedServer } from '../../../src/server/embedded-server.js';
import { ownServerOptions } from '../../helpers/test-server-choice.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { testServerUrl } from '../../helpers/test-database.js';
import { makeTestCerts, type TestCerts } from '../../helpers/tls-certs.js';

let certs: TestCerts;
let dir: string;
let port: number;
let plainDir = '';
/** A URL of a server without TLS: the shared test server, or one started here when that one offers TLS. */
let plainUrl: (db: string) => string = testServerUrl;

const url = (params: string, db = '', user = 'root') => `mysql://${user}@127.0.0.1:${port}/${db}${params ? `?${params}` : ''}`;
const ca = () => `ssl-ca=${encodeURIComponent(certs.ca)}`;

/** Connects through the library as the CLI would, and returns the session's cipher. */
async function cipherOf(text: string): Promise<string> {
  const conn = await createConnector(parseMysqlUrl(text, 'test URL')).connect({ database: null });
  try {
    const rows = await conn.query<{ Value: string }>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    return rows[0]?.Value ?? '';
  } finally {
    await conn.close();
  }
}

async function connectError(text: string): Promise<Error> {
  try {
    await cipherOf(text);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`connected to ${text}`);
}

beforeAll(async () => {
  certs = makeTestCerts();
  dir = mkdtempSync(join(tmpdir(), 'dp-tls-server-'));
  const state = await startEmbeddedServer({ dir, ...ownServerOptions(), tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey } });
  port = state.port;
  const admin = await createConnector({ host: '127.0.0.1', port, user: 'root' }).connect({ database: null });
  await admin.execute("CREATE USER 'dp_tls'@'127.0.0.1' IDENTIFIED BY 'tls-pw' REQUIRE SSL");
  await admin.execute("CREATE USER 'dp_x509'@'127.0.0.1' IDENTIFIED BY 'x509-pw' REQUIRE X509");
  await admin.execute("GRANT SELECT ON *.* TO 'dp_tls'@'127.0.0.1', 'dp_x509'@'127.0.0.1'");
  await admin.close();
  if ((await cipherOf(`${testServerUrl('')}?ssl-mode=preferred`)) !== '') {
    plainDir = mkdtempSync(join(tmpdir(), 'dp-plain-server-'));
    const plain = await startEmbeddedServer({ dir: plainDir, ...ownServerOptions() });
    const conn = await createConnector({ host: '127.0.0.1', port: plain.port, user: 'root' }).connect({ database: null });
    await conn.execute('CREATE DATABASE crm');
    await conn.close();
    plainUrl = (db) => `mysql://root@127.0.0.1:${plain.port}/${db}`;
  }
}, 180_000);

afterAll(async () => {
  if (plainDir) {
    await stopEmbeddedServer({ dir: plainDir });
    rmSync(plainDir, { recursive: true, force: true });
  }
  if (dir) await stopEmbeddedServer({ dir });
  rmSync(dir, { recursive: true, force: true });
  rmSync(certs.dir, { recursive: true, force: true });
});

describe('TLS modes', () => {
  it('required encrypts; disabled does not; preferred encrypts when the server offers TLS', async () => {
    expect(await cipherOf(url('ssl-mode=REQUIRED'))).not.toBe('');
    expect(await cipherOf(url('ssl-mode=disabled'))).toBe('');
    expect(await cipherOf(url('sslmode=preferred'))).not.toBe('');
    expect(await cipherOf(url(''))).toBe('');
  });

  it('preferred falls back to plaintext on a server without TLS; required refuses it in one line', async () => {
    const plain = plainUrl('');
    expect(await cipherOf(`${plain}?ssl-mode=preferred`)).toBe('');
    const e = await connectError(`${plain}?ssl-mode=required`);
    expect(e).toBeInstanceOf(TlsError);
    expect(e.message).toMatch(/offers no TLS, and ssl-mode=required refuses a plaintext connection/);
    expect(e.message.split('\n')).toHaveLength(1);
  });

  it('verify-ca passes with the right CA and fails with another one', async () => {
    expect(await cipherOf(url(`ssl-mode=VERIFY_CA&${ca()}`))).not.toBe('');
    // A CA alone means verify-ca, as in the mysql client.
    expect(await cipherOf(url(ca()))).not.toBe('');
    const e = await connectError(url(`ssl-mode=verify-ca&ssl-ca=${encodeURIComponent(certs.otherCa)}`));
    expect(e).toBeInstanceOf(TlsError);
    expect(e.message).toMatch(/certificate failed verification \(ssl-mode=verify-ca\)/);
    expect(e.message.split('\n')).toHaveLength(1);
    // Without a CA the system store is used, which does not know ours.
    expect(await connectError(url('ssl-mode=verify-ca'))).toBeInstanceOf(TlsError);
  });

  it('verify-identity passes for 127.0.0.1 (IP SAN) and fails for a name the certificate lacks', async () => {
    expect(await cipherOf(url(`ssl-mode=verify-identity&${ca()}`))).not.toBe('');
    const byName = `mysql://root@localhost:${port}/?ssl-mode=verify-identity&${ca()}`;
    const e = await connectError(byName);
    expect(e).toBeInstanceOf(TlsError);
    expect(e.message).toMatch(/does not name this host/);
    expect(await cipherOf(byName.replace('verify-identity', 'verify-ca'))).not.toBe('');
  });

  it('an account created REQUIRE SSL is refused without TLS and admitted with it', async () => {
    const plain = await connectError(url('', '', 'dp_tls:tls-pw'));
    expect(plain).toBeInstanceOf(ConnectionError);
    expect(plain.message).toMatch(/access denied .*requires TLS/);
    expect(plain.message).not.toContain('tls-pw');
    expect(await cipherOf(url('ssl-mode=required', '', 'dp_tls:tls-pw'))).not.toBe('');
  });

  it('an account created REQUIRE X509 needs the client certificate', async () => {
    const client = `ssl-cert=${encodeURIComponent(certs.clientCert)}&ssl-key=${encodeURIComponent(certs.clientKey)}`;
    expect(await connectError(url(`ssl-mode=verify-identity&${ca()}`, '', 'dp_x509:x509-pw'))).toBeInstanceOf(ConnectionError);
    expect(await cipherOf(url(`ssl-mode=verify-identity&${ca()}&${client}`, '', 'dp_x509:x509-pw'))).not.toBe('');
  });

  it('names a missing PEM file without connecting', async () => {
    const e = await connectError(url('ssl-mode=verify-ca&ssl-ca=/nonexistent/ca.pem'));
    expect(e.message).toMatch(/cannot read the TLS ca file \/nonexistent\/ca\.pem \(ENOENT\)/);
  });
});

describe('--require-tls', () => {
  it('runs migrate, seed, sync and verify over verified TLS', async () => {
    const source = url(`ssl-mode=verify-identity&${ca()}`, 'crm_tls');
    const admin = await createConnector({ host: '127.0.0.1', port, user: 'root' }).connect({ database: null });
    await admin.execute('CREATE DATABASE crm_tls');
    await admin.close();
    for (const args of [['migrate'], ['seed', '--scale', '0.002'], ['sync'], ['verify']]) {
      const r = await runCliCapture(['--require-tls', '--source', source, ...args, '--json']);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    }
    const doctor = await runCliCapture(['--require-tls', '--source', source, 'doctor', '--json']);
    const tls = (JSON.parse(doctor.stdout) as { checks: { name: string; verdict: string; detail: string }[] }).checks.find((c) => c.name === 'TLS');
    expect(tls).toMatchObject({ verdict: 'pass' });
    expect(tls!.detail).toMatch(/^encrypted \(.*\); certificate and host name verified$/);
  });

  it('lifts a URL without ssl-mode to required, and refuses ssl-mode=disabled with exit 2', async () => {
    const ok = await runCliCapture(['--require-tls', '--source', url('', 'crm_tls'), 'migrate', '--status']);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = await runCliCapture(['--require-tls', '--source', url('ssl-mode=disabled', 'crm_tls'), 'migrate', '--status']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ssl-mode=disabled contradicts --require-tls/);
  });

  it('refuses a server without TLS with one line (exit 1); doctor reports it as a failed TLS check', async () => {
    const r = await runCliCapture(['--require-tls', '--source', plainUrl('crm'), 'migrate', '--status']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/offers no TLS/);
    const env = await runCliCapture(['--source', plainUrl('crm'), 'sync'], { DUALPIPE_REQUIRE_TLS: '1' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/offers no TLS/);

    const doctor = await runCliCapture(['--require-tls', '--source', plainUrl('crm'), 'doctor', '--json']);
    expect(doctor.code).toBe(1);
    const checks = (JSON.parse(doctor.stdout) as { checks: { name: string; verdict: string; fix?: string }[] }).checks;
    expect(checks).toEqual([expect.objectContaining({ name: 'TLS', verdict: 'fail', fix: expect.stringMatching(/ssl_cert/) })]);
    const plain = await runCliCapture(['--source', plainUrl('crm'), 'doctor', '--json']);
    const line = (JSON.parse(plain.stdout) as { checks: { name: string; verdict: string }[] }).checks.find((c) => c.name === 'TLS');
    expect(line).toMatchObject({ verdict: 'warn' });
  });
});
