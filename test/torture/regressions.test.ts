/**
 * Failure classes the torture test found (or was built to find), each as a small explicit schema
 * and workload run through the same checks as a generated case (run-case.ts): mirrors equal the
 * source after the full and each incremental sync (or a clear refusal that changed nothing),
 * verify agrees with the oracle and notices a tampered mirror, and a backup restores exactly.
 * Each names the class it guards. A case written for one server's feature runs on the other in
 * that server's form (a function of the probed ServerFeatures), never skipped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/db/mysql-driver.js';
import { testServerTarget } from '../helpers/test-database.js';
import { classify } from './failure.js';
import { BASIC_CASES } from './regression-cases-basic.js';
import { FOUND_CASES } from './regression-cases-found.js';
import { type RunEnv, runScript } from './run-case.js';
import { probeServer, type ServerFeatures } from './server-features.js';

let env: RunEnv;
let features: ServerFeatures;
beforeAll(async () => {
  env = { server: testServerTarget() };
  const conn = await createConnector(env.server).connect({ database: null });
  features = await probeServer(conn);
  await conn.close();
});

const CASES = [...FOUND_CASES, ...BASIC_CASES];

// Concurrent (vitest's maxConcurrency, 5 at a time): each case is ~10 small product calls, mostly
// waiting on the server's DDL and round trips, in schemas of its own (random names, run locks
// named per schema) and with no server-global settings, so cases cannot see each other
// (61 -> 39 s on MariaDB, 64 -> 33 s on MySQL, loaded machine).
describe.concurrent('torture regressions', () => {
  for (const [name, c] of CASES) {
    it(name, async () => {
      const s = typeof c === 'function' ? c(features) : c;
      const out = await runScript(s, env);
      const why = out.status === 'failed' ? `[${classify(out.failure)}] ${out.failure.step}: ${out.failure.detail}` : out.status === 'invalid-ddl' ? out.error : '';
      expect(out.status, why).not.toBe('failed');
      expect(out.status, why).not.toBe('invalid-ddl');
      if (s.refused) expect(out.status, 'refused by name').toBe('refused');
    });
  }
});
