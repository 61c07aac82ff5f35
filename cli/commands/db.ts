import type { Command } from 'commander';
import type { ServerFlavor, ServerTls } from '../../api/index.js';
import { UsageError } from '../../api/light.js';
import type { GetContext } from '../context.js';

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`invalid port "${text}"`, { hint: 'use a port between 1 and 65535' });
  }
  return port;
}

/** `--server mysql|mariadb`, checked. */
function parseServer(text: string): ServerFlavor {
  const v = text.trim().toLowerCase();
  if (v === 'mysql' || v === 'mariadb') return v;
  throw new UsageError(`--server must be mysql or mariadb, not "${text}"`, { hint: 'use --server mysql or --server mariadb' });
}

interface StartFlags {
  install?: boolean;
  server?: ServerFlavor;
  port?: number;
  sslCa?: string;
  sslCert?: string;
  sslKey?: string;
}

function serverTls(opts: StartFlags): ServerTls | undefined {
  if (!opts.sslCert && !opts.sslKey && !opts.sslCa) return undefined;
  if (!opts.sslCert || !opts.sslKey) {
    throw new UsageError('--ssl-cert and --ssl-key go together (the server needs its certificate and key)', {
      hint: 'give both, and --ssl-ca for the CA clients verify the server with',
    });
  }
  return { cert: opts.sslCert, key: opts.sslKey, ...(opts.sslCa ? { ca: opts.sslCa } : {}) };
}

/** `dualpipe db start|stop|status|url`: the embedded default server. */
export function registerDbCommands(program: Command, ctx: GetContext): void {
  const db = program
    .command('db')
    .description('manage the embedded MariaDB/MySQL server under <state dir>/db (see --state-dir)');

  db.command('start')
    .description('initialise (first time) and start the embedded server on 127.0.0.1')
    .option(
      '--server <kind>',
      'mysql or mariadb (default: the kind already in the data directory, else whichever is installed, MariaDB first)',
      parseServer,
    )
    .option(
      '--install',
      'when no such server exists: install mariadb-server-core with apt-get (Debian/Ubuntu, root), or with ' +
        '--server mysql fetch Oracle MySQL into ~/.cache/dualpipe-mysql (scripts/get-mysql.sh)',
    )
    .option('--port <port>', 'TCP port (default: a free one)', parsePort)
    .option('--ssl-cert <file>', 'serve TLS with this certificate (PEM; with --ssl-key)')
    .option('--ssl-key <file>', "the certificate's private key (PEM)")
    .option('--ssl-ca <file>', 'the CA that signed it; later commands verify the server with it')
    .action(async (opts: StartFlags) => {
      const c = ctx();
      const tls = serverTls(opts);
      const { embeddedUrl, mysqlCacheDir, startEmbeddedServer } = await import('../../api/server.js');
      const state = await startEmbeddedServer({
        dir: c.serverDir,
        ...(opts.install ? { install: true } : {}),
        ...(opts.server ? { server: opts.server } : {}),
        mysqlCacheDir: mysqlCacheDir(c.io.env),
        ...(opts.port ? { port: opts.port } : {}),
        ...(tls ? { tls } : {}),
        ...(c.io.env.DUALPIPE_SERVER_BINARY ? { binary: c.io.env.DUALPIPE_SERVER_BINARY } : {}),
        logger: c.logger,
      });
      const url = embeddedUrl(state);
      c.print({ running: true, url, ...state }, () =>
        state.reused
          ? `embedded ${state.flavor} server already running (pid ${state.pid}) at ${url}`
          : `embedded ${state.flavor} server ${state.version ?? ''} started (pid ${state.pid}) at ${url}\ndata: ${state.dataDir}`,
      );
    });

  db.command('stop')
    .description('shut the embedded server down cleanly')
    .action(async () => {
      const c = ctx();
      const { stopEmbeddedServer } = await import('../../api/server.js');
      const stopped = await stopEmbeddedServer({ dir: c.serverDir });
      c.print({ stopped }, () => (stopped ? 'embedded server stopped' : 'embedded server was not running'));
    });

  db.command('status')
    .description('say whether the embedded server runs and where')
    .action(async () => {
      const c = ctx();
      const dir = c.serverDir;
      const { embeddedServerStatus, embeddedUrl } = await import('../../api/server.js');
      const state = embeddedServerStatus({ dir });
      const where = { serverDir: dir, stateDirFrom: c.io.env.DUALPIPE_SERVER_DIR ? 'DUALPIPE_SERVER_DIR' : c.stateDir.from };
      c.print(
        state
          ? { running: true, url: embeddedUrl(state), ...where, ...state }
          : { running: false, ...where },
        () =>
          state
            ? `running: ${state.flavor} ${state.version ?? ''} (${state.binary}), pid ${state.pid}, ${embeddedUrl(state)}, socket ${state.socket}\nstate: ${dir}`
            : `not running in ${dir} (start it with \`dualpipe db start\`, or point --state-dir / DUALPIPE_STATE_DIR at the folder it runs from)`,
      );
    });

  db.command('url')
    .description('print the URL of the embedded server (for DUALPIPE_SOURCE_URL)')
    .action(async () => {
      const c = ctx();
      const { embeddedServerStatus, embeddedUrl } = await import('../../api/server.js');
      const state = embeddedServerStatus({ dir: c.serverDir });
      if (!state)
        throw new UsageError('the embedded server is not running', { hint: 'run `dualpipe db start`' });
      const url = embeddedUrl(state);
      c.print({ url }, () => url);
    });
}
