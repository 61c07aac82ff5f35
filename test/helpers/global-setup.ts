/**
 * Picks the server every integration test talks to, in this order:
 * 1. DUALPIPE_TEST_URL when set;
 * 2. a throwaway server of the kind DUALPIPE_TEST_SERVER=mariadb|mysql names (see test-server-choice.ts);
 * 3. a testcontainers MySQL 8.4 container when a Docker engine answers;
 * 4. a throwaway mariadbd/mysqld in a temporary data directory (the same code as `dualpipe db start`).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { parseMysqlUrl } from '../../src/config/parse-url.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import { quoteId } from '../../src/db/quote.js';
import { initialiseDataDir } from '../../src/server/data-dir.js';
import { startEmbeddedServer, stopEmbeddedServer } from '../../src/server/embedded-server.js';
import { chooseTestServer, requestedFlavor, type TestServerChoice } from './test-server-choice.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testServerUrl: string;
    testServerKind: string;
    testServerDir: string;
    /** The binary tests starting their own server use ('' : search PATH as `db start` does). */
    testServerBinary: string;
    /** Server options tests starting their own server add (GTIDs on for MySQL). */
    testServerArgs: string[];
    /** A data directory initialised once, copied by tests starting their own server ('' : none). */
    testServerTemplate: string;
    /** Names this run's CRM template schemas (`dpt_tpl_<tag>_…`, see crm-template.ts). */
    crmTemplateTag: string;
  }
}

async function tryDocker(): Promise<{ url: string; stop: () => Promise<void> } | undefined> {
  const hasEngine = Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
  if (!hasEngine) return undefined;
  try {
    const { MySqlContainer } = await import('@testcontainers/mysql');
    const container = await new MySqlContainer('mysql:8.4')
      .withRootPassword('dualpipe-test')
      // No TLS, like the embedded test server: the suite's TLS tests use the shared server as the one without it.
      .withCommand(['--local-infile=1', '--mysqlx=OFF', '--tls-version='])
      .start();
    const url = `mysql://root:dualpipe-test@${container.getHost()}:${container.getPort()}/`;
    return { url, stop: async () => void (await container.stop()) };
  } catch (error) {
    console.warn(`testcontainers could not start MySQL (${(error as Error).message}); using a local server`);
    return undefined;
  }
}

/** Newest modification time of the TypeScript sources under the given folders. */
function newestSource(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|sql)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of dirs) walk(d);
  return newest;
}

/** Tests that run the CLI as a child process (kill tests) need dist/ to match the sources. */
function buildIfStale(): void {
  const bin = 'dist/bin/dualpipe.js';
  const built = existsSync(bin) ? statSync(bin).mtimeMs : 0;
  if (built >= newestSource(['src', 'schema', 'sync', 'backup', 'ops', 'api', 'cli', 'bin'])) return;
  const res = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (res.status !== 0) throw new Error('npm run build failed');
}

/** Drops this run's CRM template schemas (crm-template.ts), for a server that outlives the run. */
async function dropCrmTemplates(url: string, tag: string): Promise<void> {
  const target = parseMysqlUrl(url, 'test server URL');
  delete target.database;
  const conn = await createConnector(target).connect({ database: null });
  try {
    const rows = await conn.query<{ s: string }>('SELECT SCHEMA_NAME AS s FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE ?', [
      `dpt\\_tpl\\_${tag}\\_%`,
    ]);
    for (const r of rows) await conn.execute(`DROP DATABASE IF EXISTS ${quoteId(r.s)}`);
  } finally {
    await conn.close();
  }
}

/** Provides the choice of server to the test files. */
function provideChoice(project: TestProject, choice: TestServerChoice): void {
  project.provide('testServerBinary', choice.binary ?? '');
  project.provide('testServerArgs', choice.extraArgs);
  project.provide('testServerTemplate', '');
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  buildIfStale();
  const tag = randomBytes(3).toString('hex');
  project.provide('crmTemplateTag', tag);
  const requested = requestedFlavor();
  const given = process.env.DUALPIPE_TEST_URL;
  if (given) {
    project.provide('testServerUrl', given);
    project.provide('testServerKind', 'DUALPIPE_TEST_URL');
    project.provide('testServerDir', '');
    provideChoice(project, chooseTestServer(requested));
    return async () => dropCrmTemplates(given, tag);
  }
  const docker = requested ? undefined : await tryDocker();
  if (docker) {
    project.provide('testServerUrl', docker.url);
    project.provide('testServerKind', 'testcontainers mysql:8.4');
    project.provide('testServerDir', '');
    // Tests that start servers of their own use the local default.
    provideChoice(project, chooseTestServer(undefined));
    return async () => {
      await dropCrmTemplates(docker.url, tag);
      await docker.stop();
    };
  }
  const choice = chooseTestServer(requested);
  provideChoice(project, choice);
  const dir = mkdtempSync(join(tmpdir(), 'dualpipe-test-'));
  // One data directory is initialised, and every server of the run (this one, and those tests start
  // of their own) starts from a copy: MySQL's --initialize takes 5–15 s each time.
  // install: on a fresh Debian/Ubuntu machine as root, the README test command installs mariadb-server-core.
  const binary = choice.binary ? { binary: choice.binary } : {};
  const template = await initialiseDataDir({ dir: join(dir, 'template'), install: choice.flavor === 'mariadb', ...binary });
  project.provide('testServerTemplate', template);
  // The shared server keeps a binlog on both kinds (MySQL's default; MariaDB's is off), so that
  // incremental syncs are tested with binlog capture as well as triggers on the same fixtures.
  const binlog = choice.flavor === 'mariadb' ? ['--log-bin=binlog', '--binlog-format=ROW', '--server-id=1', '--max-binlog-size=256M'] : [];
  const state = await startEmbeddedServer({ dir: join(dir, 'shared'), ...binary, extraArgs: [...choice.extraArgs, ...binlog], templateDataDir: template });
  project.provide('testServerUrl', `mysql://root@127.0.0.1:${state.port}/`);
  project.provide('testServerKind', `embedded ${state.flavor} (${state.binary})`);
  project.provide('testServerDir', join(dir, 'shared'));
  return async () => {
    await stopEmbeddedServer({ dir: join(dir, 'shared') });
    rmSync(dir, { recursive: true, force: true });
  };
}
