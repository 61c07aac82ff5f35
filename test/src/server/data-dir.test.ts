/**
 * Servers started from one initialised data directory (the suite's template, made by
 * initialiseDataDir): each copy is its own server, with its own data and, on MySQL, its own UUID.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createConnector } from '../../../src/db/mysql-driver.js';
import { startEmbeddedServer, stopEmbeddedServer } from '../../../src/server/embedded-server.js';
import { ownServerOptions } from '../../helpers/test-server-choice.js';

const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) {
    await stopEmbeddedServer({ dir });
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('servers started from a template data directory', () => {
  it('are separate servers: their own data, and on MySQL their own server UUID', async () => {
    const options = ownServerOptions();
    // Only the embedded test server makes a template (not DUALPIPE_TEST_URL or testcontainers).
    expect(Boolean(options.templateDataDir)).toBe(inject('testServerKind').startsWith('embedded'));
    const seen: { uuid: string; dbs: string[] }[] = [];
    for (const name of ['a', 'b']) {
      const dir = mkdtempSync(join(tmpdir(), `dp-template-${name}-`));
      dirs.push(dir);
      const state = await startEmbeddedServer({ dir, ...options });
      const conn = await createConnector({ host: '127.0.0.1', port: state.port, user: 'root' }).connect({ database: null });
      await conn.execute(`CREATE DATABASE only_${name}`);
      const uuid = await conn.query<{ u: string }>('SELECT @@server_uuid AS u').then((r) => r[0]!.u, () => `mariadb-${name}`);
      const dbs = (await conn.query<{ d: string }>("SELECT SCHEMA_NAME AS d FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'only\\_%'")).map((r) => r.d);
      seen.push({ uuid, dbs });
      await conn.close();
    }
    expect(seen[0]!.dbs).toEqual(['only_a']);
    expect(seen[1]!.dbs).toEqual(['only_b']);
    expect(seen[0]!.uuid).not.toBe(seen[1]!.uuid);
  }, 120_000);
});
