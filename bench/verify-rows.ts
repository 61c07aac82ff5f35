/**
 * bench:sync rows for `dualpipe verify` (exact checksums: every value rendered losslessly,
 * 64-bit SHA-256 digests summed per chunk) against its peer, the pt-table-checksum style aggregate
 * the first version used (`COUNT(*)`, `BIT_XOR(CRC32(CONCAT_WS(…)))` per table, source and
 * mirror) run serially by the server family's command-line client on the same data: the price of exactness.
 */
import { legacyChecksumSql } from '../src/rows/content-checksum.js';
import type { SqlConnection } from '../src/db/connection.js';
import { discoverTables } from '../src/catalog/discover-tables.js';
import { basename } from 'node:path';
import { runCommand } from './bench-util.js';

export async function verifyRows(o: {
  cli: string[];
  env: { env: Record<string, string> };
  /** The command-line client (`mariadb`, or MySQL's `mysql`). */
  clientBin: string;
  client: string[];
  admin: SqlConnection;
  source: string;
  report: string;
}): Promise<string[][]> {
  const metas = (await discoverTables(o.admin, o.source)).filter((t) => !t.name.startsWith('__dp_'));
  const sql = metas.flatMap((m) => [legacyChecksumSql(o.source, m.name, m), legacyChecksumSql(o.report, m.name, m)]).map((s) => `${s};`);
  const peer = await runCommand(o.clientBin, [...o.client, '-e', sql.join('\n')]);
  if (peer.code !== 0) throw new Error(`legacy checksum failed: ${peer.stderr.slice(-2000)}`);
  const verify = await runCommand('node', o.cli, o.env);
  if (verify.code !== 0) throw new Error(`verify failed (${verify.code}): ${verify.stderr.slice(-2000)}`);
  const r2 = (x: number) => x.toFixed(2);
  return [
    [`BIT_XOR(CRC32(CONCAT_WS(…))) of every table and mirror (${basename(o.clientBin)} client, serial; the old, inexact checksum)`, r2(peer.seconds), '', 'peer of the row below'],
    ['dualpipe verify (exact checksums, source snapshot and mirrors in parallel)', r2(verify.seconds), '', `${r2(verify.seconds / peer.seconds)}x the old checksum`],
  ];
}
