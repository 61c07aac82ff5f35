/**
 * The embedded default server: a private mariadbd/mysqld on 127.0.0.1 with its data under
 * `<state dir>/db` (see src/config/state-dir.ts). The test suite's global setup uses the same code with a temporary folder.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionTarget } from '../db/connection.js';
import { createConnector } from '../db/mysql-driver.js';
import { InternalError, ServerError } from '../errors.js';
import { silentLogger } from '../log/logger.js';
import { childEnv } from './child-env.js';
import { resolveBinary } from './resolve-binary.js';
import type { StartOptions } from './start-options.js';
export type { StartOptions } from './start-options.js';
import { copyDataDir, initDataDir } from './data-dir.js';
import { serverArgs } from './server-args.js';
export { embeddedTarget, embeddedUrl } from './embedded-target.js';
import { type EmbeddedServerState, isServerProcess, readState, removeState, writeState } from './server-state.js';

/**
 * Where the embedded server lives when a caller gives no folder, relative to the working directory.
 * The CLI gives one: `<state dir>/db` (src/config/state-dir.ts), independent of the working directory.
 */
export const DEFAULT_SERVER_DIR = '.dualpipe/db';

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      // A TCP server listening on a port always has an address object; a string is only for pipes.
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new InternalError('freePort', 'the listening server has no port'))));
    });
  });
}

/** Unix socket paths are limited to about 107 bytes; fall back to the temp folder for deep paths. */
function socketPathFor(dir: string): string {
  const preferred = join(dir, 'mysqld.sock');
  if (Buffer.byteLength(preferred) < 100) return preferred;
  return join(tmpdir(), `dualpipe-${process.getuid?.() ?? 0}-${Buffer.from(dir).toString('hex').slice(-16)}.sock`);
}

/** Waits for the server to answer, lets root in over TCP, and returns its VERSION(). */
async function waitUntilReady(target: ConnectionTarget, exited: () => boolean, logFile: string): Promise<string> {
  const connector = createConnector(target);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited()) {
      const tail = existsSync(logFile)
        ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n')
        : '';
      throw new ServerError(`the server exited during start-up; last lines of ${logFile}:\n${tail}`);
    }
    try {
      const conn = await connector.connect({ database: null });
      // MySQL's --initialize-insecure only creates root@localhost; TCP clients arrive as 127.0.0.1.
      await conn.execute("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'");
      await conn.execute("GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
      const version = (await conn.query<{ v: string }>('SELECT VERSION() AS v'))[0]?.v ?? '';
      await conn.close();
      return version;
    } catch {
      await sleep(100);
    }
  }
  throw new ServerError('the server did not answer within 60 s', { hint: `see ${logFile}` });
}

/** A server given unreadable PEM files may start without TLS (MariaDB only logs it): check, and stop it if so. */
async function assertServesTls(target: ConnectionTarget, pid: number, logFile: string): Promise<void> {
  try {
    const conn = await createConnector({ ...target, ssl: { mode: 'required' } }).connect({ database: null });
    await conn.close();
  } catch (error) {
    process.kill(pid, 'SIGTERM');
    throw new ServerError(`the server started but does not serve TLS (${(error as Error).message})`, {
      cause: error,
      hint: `check the --ssl-cert/--ssl-key files and ${logFile}`,
    });
  }
}

/** Starts the embedded server (or returns the running one) and records its state. */
export async function startEmbeddedServer(
  options: StartOptions = {},
): Promise<EmbeddedServerState & { reused: boolean }> {
  const dir = resolve(options.dir ?? DEFAULT_SERVER_DIR);
  const log = options.logger ?? silentLogger;
  const running = readState(dir);
  if (running) {
    if (options.server && running.flavor !== options.server) {
      throw new ServerError(`the embedded server already running (pid ${running.pid}) is ${running.flavor}, not ${options.server}`, {
        hint: 'stop it first with `dualpipe db stop`',
      });
    }
    return { ...running, reused: true };
  }
  if (options.tls) {
    for (const f of [options.tls.cert, options.tls.key, options.tls.ca]) {
      if (f && !existsSync(f)) throw new ServerError(`TLS file ${f} does not exist`, { hint: 'check --ssl-ca/--ssl-cert/--ssl-key' });
    }
  }
  const dataDir = join(dir, 'data');
  const bin = await resolveBinary(options, dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = join(dir, 'error.log');
  const asRoot = process.getuid?.() === 0 ? ['--user=root'] : [];
  // Its own temporary folder, for the install too: two servers initialised at once in a shared
  // /tmp collided on `#sql-temptable-…` names and the install aborted.
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dataDir, 'mysql'))) {
    log.info({ dataDir, binary: bin.server, template: options.templateDataDir }, 'initialising data directory');
    if (options.templateDataDir) copyDataDir(options.templateDataDir, dataDir);
    else initDataDir(bin, dataDir, logFile, [...asRoot, `--tmpdir=${tmp}`]);
  }
  const port = options.port ?? (await freePort());
  const socket = socketPathFor(dir);
  const tls = options.tls && {
    cert: resolve(options.tls.cert),
    key: resolve(options.tls.key),
    ...(options.tls.ca ? { ca: resolve(options.tls.ca) } : {}),
  };
  const child = spawn(
    bin.server,
    [...serverArgs(bin, { dataDir, socket, port, dir }, asRoot, tls), ...(options.extraArgs ?? [])],
    { detached: true, stdio: 'ignore', env: childEnv() },
  );
  // Watch the child, not /proc/<pid>/cmdline: a wrapper that execs the server (the fetched MySQL's)
  // has an empty cmdline for a moment, which looked like a server that had exited.
  let exited = false;
  child.once('exit', () => (exited = true));
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new ServerError(`could not start ${bin.server}`);
  let version: string;
  try {
    version = await waitUntilReady({ host: '127.0.0.1', port, user: 'root' }, () => exited, logFile);
  } catch (error) {
    if (!exited) process.kill(pid, 'SIGTERM'); // a server that never answered must not outlive the failed start
    throw error;
  }
  if (tls) await assertServesTls({ host: '127.0.0.1', port, user: 'root' }, pid, logFile);
  const state: EmbeddedServerState = {
    pid,
    port,
    socket,
    dataDir,
    binary: bin.server,
    flavor: bin.flavor,
    version,
    startedAt: new Date().toISOString(),
    ...(tls ? { tls: tls.ca ? { ca: tls.ca } : {} } : {}),
  };
  writeState(dir, state);
  log.info({ port, socket, pid, flavor: bin.flavor, version }, 'embedded server started');
  return { ...state, reused: false };
}

/** Stops the embedded server cleanly (SIGTERM, then waits). Returns false when it was not running. */
export async function stopEmbeddedServer(
  options: { dir?: string; timeoutMs?: number } = {},
): Promise<boolean> {
  const dir = resolve(options.dir ?? DEFAULT_SERVER_DIR);
  const state = readState(dir);
  if (!state) {
    removeState(dir);
    return false;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (isServerProcess(state.pid, state.dataDir)) {
    if (Date.now() > deadline) throw new ServerError(`the server (pid ${state.pid}) did not stop in time`);
    await sleep(100);
  }
  removeState(dir);
  return true;
}

/** The state of the embedded server, or undefined when it is not running. */
export function embeddedServerStatus(options: { dir?: string } = {}): EmbeddedServerState | undefined {
  return readState(resolve(options.dir ?? DEFAULT_SERVER_DIR));
}
