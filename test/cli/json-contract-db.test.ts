/**
 * The `--json` contract for `db start|status|url|stop` with a running embedded server (see
 * json-contract.test.ts, which covers them without one): each document validates against its schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectContract } from '../helpers/json-contract.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';
import { ownServerEnv } from '../helpers/test-server-choice.js';

const cwd = mkdtempSync(join(tmpdir(), 'dp-json-db-'));
const run = (argv: string[], env: Record<string, string> = {}) => runCliCapture([...argv, '--json'], { DUALPIPE_LOG_LEVEL: undefined, ...env }, cwd);

afterAll(async () => {
  await runCliCapture(['db', 'stop'], {}, cwd);
  rmSync(cwd, { recursive: true, force: true });
});

describe('dualpipe db --json with the embedded server', () => {
  it('start, status, url, stop', async () => {
    const start = expectContract(await run(['db', 'start'], ownServerEnv()), 'db-start', 0);
    expect(start).toMatchObject({ running: true, reused: false });
    expect(start.startedAt).toMatch(/Z$/);
    expect(expectContract(await run(['db', 'status']), 'db-status', 0)).toMatchObject({ running: true, pid: start.pid });
    expect(expectContract(await run(['db', 'url']), 'db-url', 0)).toMatchObject({ url: start.url });
    expect(expectContract(await run(['db', 'stop']), 'db-stop', 0)).toMatchObject({ stopped: true });
  });
});
