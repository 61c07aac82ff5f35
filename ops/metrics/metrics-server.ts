/**
 * The metrics HTTP server (node:http): `GET /metrics` (the Prometheus text format) and
 * `GET /healthz` (200 when healthy, 503 with why). Bound to the given address only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { UsageError } from '../../src/errors.js';
import type { ListenAddress } from './listen-address.js';

/** What `/healthz` answers: healthy or not, and the details shown as JSON. */
export interface Health {
  ok: boolean;
  [detail: string]: unknown;
}

/** A listening metrics server. */
export interface MetricsServer {
  /** The address it listens on (the real port when 0 was asked for). */
  readonly address: ListenAddress;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Starts serving `registry` and `health` on `address`; refuses a taken or unusable address in one line. */
export async function startMetricsServer(address: ListenAddress, registry: Registry, health: () => Promise<Health>): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'only GET\n');
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        (error: unknown) => send(500, 'text/plain', `metrics failed: ${(error as Error).message}\n`),
      );
    } else if (path === '/healthz') {
      health().then(
        (h) => send(h.ok ? 200 : 503, 'application/json', `${JSON.stringify(h)}\n`),
        (error: unknown) => send(503, 'application/json', `${JSON.stringify({ ok: false, why: (error as Error).message })}\n`),
      );
    } else {
      send(404, 'text/plain', 'not found: try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${address.host}:${address.port}`;
      const why =
        error.code === 'EADDRINUSE'
          ? `${where} is already in use`
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? `${where} is not an address of this host`
            : error.code === 'EACCES'
              ? `no permission to listen on ${where}`
              : `${where}: ${error.message}`;
      reject(new UsageError(`metrics server cannot listen: ${why}`, { cause: error, hint: 'choose another --metrics-listen address or port' }));
    });
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: { host: address.host, port: bound.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
