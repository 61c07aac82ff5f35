/** `dualpipe db start --ssl-cert/--ssl-key/--ssl-ca`: the embedded server serves TLS and later commands use it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { ownServerEnv } from '../../helpers/test-server-choice.js';
import { makeTestCerts } from '../../helpers/tls-certs.js';

const cwd = mkdtempSync(join(tmpdir(), 'dp-embedded-tls-'));
const certs = makeTestCerts();

afterAll(async () => {
  await runCliCapture(['db', 'stop'], {}, cwd);
  rmSync(cwd, { recursive: true, force: true });
  rmSync(certs.dir, { recursive: true, force: true });
});

describe('embedded server with TLS', () => {
  it('refuses a certificate without its key (exit 2) and a missing file', async () => {
    const half = await runCliCapture(['db', 'start', '--ssl-cert', certs.serverCert], ownServerEnv(), cwd);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--ssl-cert and --ssl-key go together/);
    const missing = await runCliCapture(['db', 'start', '--ssl-cert', '/nonexistent.pem', '--ssl-key', certs.serverKey], ownServerEnv(), cwd);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/TLS file \/nonexistent\.pem does not exist/);
  });

  it('starts with TLS; default commands then connect verified against its CA', async () => {
    const start = await runCliCapture(['db', 'start', '--json', '--ssl-cert', certs.serverCert, '--ssl-key', certs.serverKey, '--ssl-ca', certs.ca],
      ownServerEnv(),
      cwd,
    );
    expect(start.code, start.stderr).toBe(0);
    const state = JSON.parse(start.stdout) as { url: string; tls: { ca: string } };
    expect(state.tls.ca).toBe(certs.ca);
    expect(state.url).toMatch(/\?ssl-mode=verify-ca&ssl-ca=/);
    const doctor = await runCliCapture(['--require-tls', 'doctor', '--json'], {}, cwd);
    const tls = (JSON.parse(doctor.stdout) as { checks: { name: string; verdict: string; detail: string }[] }).checks.find((c) => c.name === 'TLS');
    expect(tls).toMatchObject({ verdict: 'pass', detail: expect.stringMatching(/verified against the CA/) });
    const url = await runCliCapture(['db', 'url'], {}, cwd);
    const migrate = await runCliCapture(['--require-tls', '--source', url.stdout.trim(), 'migrate', '--json'], {}, cwd);
    expect(migrate.code, migrate.stderr).toBe(0);
  });
});
