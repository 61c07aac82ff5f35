/**
 * Which server the test suite runs on: `DUALPIPE_TEST_SERVER=mariadb|mysql` (default mariadb, the
 * system's package). With `mysql` the binary is DUALPIPE_SERVER_BINARY or Oracle MySQL fetched by
 * scripts/get-mysql.sh into its cache (fetched on first use). The global setup decides once and
 * provides the answer to the test files, so tests that start servers of their own (faults, TLS, PITR)
 * start the same kind as the shared one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { StartOptions } from '../../src/server/embedded-server.js';
import { mysqlCacheDir } from '../../src/server/fetch-mysql.js';
import { findServerBinary } from '../../src/server/find-server-binary.js';

/** The two server families the suite runs on. */
export type TestServerFlavor = 'mariadb' | 'mysql';

/** The throwaway server the suite asked for: its flavor, binary (undefined: search PATH) and options. */
export interface TestServerChoice {
  flavor: TestServerFlavor;
  binary: string | undefined;
  extraArgs: string[];
}

/** Where scripts/get-mysql.sh caches MySQL by default (the same folder `db start --server mysql` uses). */
export { mysqlCacheDir };

/** DUALPIPE_TEST_SERVER, checked; undefined when unset. */
export function requestedFlavor(env: NodeJS.ProcessEnv = process.env): TestServerFlavor | undefined {
  const v = env.DUALPIPE_TEST_SERVER?.trim().toLowerCase();
  if (!v) return undefined;
  if (v === 'mysql' || v === 'mariadb') return v;
  throw new Error(`DUALPIPE_TEST_SERVER must be mysql or mariadb, not ${JSON.stringify(v)}`);
}

/** Runs the project's fetch script when the cached MySQL is missing; returns its mysqld wrapper. */
function fetchedMysql(env: NodeJS.ProcessEnv): string {
  const dest = mysqlCacheDir(env);
  const mysqld = join(dest, 'bin', 'mysqld');
  if (existsSync(mysqld)) return mysqld;
  const res = spawnSync('bash', [join(import.meta.dirname, '../../scripts/get-mysql.sh'), dest], { stdio: 'inherit' });
  if (res.status !== 0 || !existsSync(mysqld)) throw new Error(`scripts/get-mysql.sh ${dest} failed`);
  return mysqld;
}

/**
 * Decides the throwaway server: `requested` (DUALPIPE_TEST_SERVER) or, when unset, whatever `db start`
 * would find (MariaDB first). Fetches MySQL when asked for and not given; checks the binary's flavor.
 */
export function chooseTestServer(
  requested: TestServerFlavor | undefined,
  env: NodeJS.ProcessEnv = process.env,
): TestServerChoice {
  const explicit = env.DUALPIPE_SERVER_BINARY || undefined;
  const binary = explicit ?? (requested === 'mysql' ? fetchedMysql(env) : undefined);
  const found = findServerBinary(binary ? { explicit: binary } : {});
  if (requested && found && found.flavor !== requested) {
    throw new Error(`DUALPIPE_TEST_SERVER=${requested} but ${found.server} is ${found.flavor}`);
  }
  const flavor = found?.flavor ?? requested ?? 'mariadb';
  // Users run MySQL with GTIDs on (Debian's packaged my.cnf does; the embedded server runs with
  // --no-defaults), and GTID consistency changes what MyISAM writes and CREATE … SELECT may do.
  const extraArgs = flavor === 'mysql' ? ['--gtid-mode=ON', '--enforce-gtid-consistency=ON'] : [];
  return { flavor, binary, extraArgs };
}

/**
 * Start options for a test's own throwaway server, matching the shared test server's kind; `extraArgs`
 * are added to the suite's own (e.g. GTIDs on MySQL).
 */
export function ownServerOptions(extraArgs: readonly string[] = []): Pick<StartOptions, 'binary' | 'extraArgs' | 'templateDataDir'> {
  const binary = inject('testServerBinary');
  const template = inject('testServerTemplate');
  return {
    ...(binary ? { binary } : {}),
    ...(template ? { templateDataDir: template } : {}),
    extraArgs: [...inject('testServerArgs'), ...extraArgs],
  };
}


/** The environment for `dualpipe db start` in CLI tests, so it starts the suite's kind of server. */
export function ownServerEnv(): Record<string, string> {
  const binary = inject('testServerBinary');
  return binary ? { DUALPIPE_SERVER_BINARY: binary } : {};
}
