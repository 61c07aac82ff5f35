import type { ConnectionTarget } from './connection.js';

/** A printable, password-free label such as `root@127.0.0.1:3306/crm`. */
export function describeTarget(target: ConnectionTarget): string {
  const where = target.socketPath
    ? `socket ${target.socketPath}`
    : `${target.host ?? 'localhost'}:${target.port ?? 3306}`;
  return `${target.user}@${where}${target.database ? `/${target.database}` : ''}`;
}
