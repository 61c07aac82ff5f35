import { describe, expect, it } from 'vitest';
import type { Row, SqlConnection } from '../../../src/db/connection.js';
import { TlsError } from '../../../src/errors.js';
import { checkTls, tlsConnectFailure } from '../../../ops/doctor/doctor-tls.js';

/** A session that answers only the status query the TLS check asks. */
function session(cipher: string, version = 'TLSv1.3'): SqlConnection {
  const rows = [
    { Variable_name: 'Ssl_cipher', Value: cipher },
    { Variable_name: 'Ssl_version', Value: cipher ? version : '' },
  ];
  return { query: <T extends Row>() => Promise.resolve(rows as unknown as T[]) } as unknown as SqlConnection;
}

describe('doctor TLS line', () => {
  it('passes an encrypted session, saying how far the certificate was checked', async () => {
    const c = await checkTls(session('TLS_AES_256_GCM_SHA384'), { mode: 'verify-identity', ca: '/ca.pem' });
    expect(c).toEqual({ name: 'TLS', verdict: 'pass', detail: 'encrypted (TLSv1.3, TLS_AES_256_GCM_SHA384); certificate and host name verified' });
    expect((await checkTls(session('X'), { mode: 'required' })).detail).toMatch(/certificate not verified \(ssl-mode=required\)/);
    expect((await checkTls(session('X'), { mode: 'verify-ca' })).detail).toMatch(/verified against the CA/);
  });

  it('warns about a plaintext session nobody required, with the fix', async () => {
    const c = await checkTls(session(''), undefined);
    expect(c.verdict).toBe('warn');
    expect(c.fix).toMatch(/ssl-mode=verify-identity.*--require-tls/);
    expect((await checkTls(session(''), { mode: 'preferred' })).verdict).toBe('warn');
  });

  it('fails a plaintext session when TLS was required, and a refused one', async () => {
    for (const mode of ['required', 'verify-ca', 'verify-identity'] as const) {
      expect(await checkTls(session(''), { mode })).toMatchObject({ verdict: 'fail', detail: expect.stringContaining(`ssl-mode=${mode} requires TLS`) });
    }
    const refused = tlsConnectFailure(new TlsError('root@h:3306', 'the server offers no TLS', { hint: 'start it with ssl_cert' }));
    expect(refused).toEqual({ name: 'TLS', verdict: 'fail', detail: 'the server offers no TLS', fix: 'start it with ssl_cert' });
  });
});
