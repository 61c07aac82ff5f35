/** Driver errors become one `ConnectionError` line that says what happened and what to do. */
import { describe, expect, it } from 'vitest';
import { explainConnectError } from '../../../src/db/explain-connect-error.js';
import { ConnectionError } from '../../../src/errors.js';

const driverError = (code: string) => Object.assign(new Error(`driver says ${code}`), { code });

describe('explainConnectError', () => {
  it('tells a server that never answered (a frozen mysqld times out the handshake) from an unreachable host', () => {
    const frozen = explainConnectError('root@127.0.0.1:3306/crm', driverError('ETIMEDOUT'), { database: 'crm' });
    expect(frozen).toBeInstanceOf(ConnectionError);
    expect(frozen.message).toMatch(/no answer within the connect timeout/);
    expect((frozen as ConnectionError).hint).toMatch(/--connect-timeout/);
    const unreachable = explainConnectError('root@10.9.9.9:3306/crm', driverError('EHOSTUNREACH'), { database: 'crm' });
    expect(unreachable.message).toMatch(/host unreachable/);
    expect(unreachable.message).not.toMatch(/timed out|connect timeout/);
  });

  it('names a refused connection', () => {
    expect(explainConnectError('root@127.0.0.1:1/crm', driverError('ECONNREFUSED'), { database: 'crm' }).message).toMatch(/connection refused/);
  });
});
