/**
 * An analyst loop for fault tests: reads the live mirrors and a report table over and over, each
 * time in ONE statement (MyISAM locks every table of a statement when it starts, so one statement
 * sees one set of tables), and checks what holds only for complete tables of one sync: the
 * mirrored marker row (see ack-writer.ts) states how many writer contacts and items, and which
 * sum of lead scores, its snapshot held, and `rpt_customer_360` has one row per contact. A
 * partial table, or tables of two syncs, break it. Errors of a server that is down are counted,
 * anything else (a missing live table, say) is kept as a violation.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import { MARKER_TABLE, WRITER_BASE } from './ack-writer.js';

export interface ReaderResult {
  reads: number;
  /** Distinct marker values seen: how many sync generations the reader saw published. */
  generations: number;
  outageErrors: number;
  violations: string[];
}

const OUTAGE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED', 'ETIMEDOUT']);

/** True when the error (or its cause) says the server went away rather than that a query was wrong. */
export function isOutage(error: unknown): boolean {
  for (let e = error as { code?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code && OUTAGE.has(e.code)) return true;
    if (/closed state|connection lost|server has gone away|ECONNREFUSED/i.test(e.message ?? '')) return true;
  }
  return false;
}

export async function runReportReader(connector: SqlConnector, reportSchema: string, stop: { done: boolean }): Promise<ReaderResult> {
  const r = (t: string) => qualify(reportSchema, t);
  const sql = `SELECT m.v AS v, m.contacts AS mc, m.items AS mi, m.score AS ms,
      (SELECT COUNT(*) FROM ${r('contacts')} WHERE id >= ${WRITER_BASE}) AS c,
      (SELECT COUNT(*) FROM ${r('transaction_items')} WHERE id >= ${WRITER_BASE}) AS it,
      (SELECT COALESCE(SUM(lead_score), 0) FROM ${r('contacts')} WHERE id >= ${WRITER_BASE}) AS sc,
      (SELECT COUNT(*) FROM ${r('contacts')}) AS allc,
      (SELECT COUNT(*) FROM ${r('rpt_customer_360')}) AS rc,
      (SELECT COUNT(*) FROM ${r('rpt_customer_360')} WHERE contact_id >= ${WRITER_BASE}) AS rw
    FROM ${r(MARKER_TABLE)} m WHERE m.id = 1`;
  const result: ReaderResult = { reads: 0, generations: 0, outageErrors: 0, violations: [] };
  const seen = new Set<number>();
  let last = -1;
  let conn: SqlConnection | undefined;
  while (!stop.done) {
    try {
      conn ??= await connector.connect({ database: null });
      const rows = await conn.query<Record<string, string | number>>(sql);
      const x = Object.fromEntries(Object.entries(rows[0] ?? {}).map(([k, v]) => [k, Number(v)]));
      result.reads++;
      const v = x.v ?? -1;
      seen.add(v);
      const bad: string[] = [];
      if (rows.length !== 1) bad.push('no marker row');
      if (x.c !== x.mc) bad.push(`writer contacts ${x.c} but marker says ${x.mc}`);
      if (x.it !== x.mi) bad.push(`writer items ${x.it} but marker says ${x.mi}`);
      if (x.sc !== x.ms) bad.push(`writer lead scores sum ${x.sc} but marker says ${x.ms}`);
      if (x.allc !== x.rc) bad.push(`${x.allc} contacts but ${x.rc} rpt_customer_360 rows`);
      if (x.rw !== x.mc) bad.push(`${x.rw} writer rows in rpt_customer_360 but marker says ${x.mc}`);
      if (v < last) bad.push(`marker went back from ${last} to ${v}`);
      last = Math.max(last, v);
      if (bad.length) result.violations.push(`read ${result.reads} (marker ${v}): ${bad.join('; ')}`);
    } catch (error) {
      conn?.destroy();
      conn = undefined;
      if (isOutage(error)) result.outageErrors++;
      else result.violations.push(`read failed: ${(error as Error).message}`);
      await sleep(50);
    }
    await sleep(20);
  }
  await conn?.close();
  result.generations = seen.size;
  return result;
}
