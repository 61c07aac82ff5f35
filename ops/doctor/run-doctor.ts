/**
 * `dualpipe doctor` as one call: the server checks of the source (and of the report server when it
 * is another one), then the role accounts. A session refused for TLS is a failed TLS line, not an
 * error: the doctor's job is to say what is wrong, and an unencrypted or unverifiable connection is
 * one of the things it checks. Any other connection failure is thrown (nothing can be checked).
 */
import type { SqlConnector } from '../../src/db/connection.js';
import { withSession } from '../../src/db/with-session.js';
import { TlsError } from '../../src/errors.js';
import type { Pipeline } from '../../src/pipeline.js';
import type { DoctorCheck } from './doctor-check.js';
import { checkRoleAccounts } from './doctor-roles.js';
import { checkServer } from './doctor.js';
import { tlsConnectFailure } from './doctor-tls.js';
import { checkBinlogCapture } from './doctor-binlog.js';
import { type CaptureMethod, readCaptureMethod } from '../../sync/capture/capture-method.js';

/** Every check, and whether none failed (warnings allowed). */
export interface DoctorResult {
  checks: DoctorCheck[];
  ok: boolean;
}

/** Options of `runDoctor` beyond the pipeline. */
export interface DoctorOptions {
  /** Role accounts are `<prefix><role>` (default `dp_`, as `dualpipe grants`). */
  prefix?: string;
}

/** The checks of one server. */
async function checkOne(connector: SqlConnector, role: 'source' | 'report', sameServer: boolean): Promise<DoctorCheck[]> {
  let conn;
  try {
    conn = await connector.connect({ database: null });
  } catch (error) {
    if (error instanceof TlsError) return [{ server: role, ...tlsConnectFailure(error) }];
    throw error;
  }
  try {
    return await checkServer(conn, role, sameServer, connector.target.ssl);
  } finally {
    await conn.close();
  }
}

/**
 * The source schema must exist: a misspelt name would otherwise pass every server check and leave
 * the first sync to fail at night. (A missing report schema is normal before the first sync.)
 */
async function checkSourceSchema(pipeline: Pipeline): Promise<DoctorCheck[]> {
  const name = 'source schema';
  let found: boolean;
  try {
    found = await withSession(pipeline.source, async (c) => (await c.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [pipeline.sourceSchema])).length > 0);
  } catch (error) {
    // The TLS line below says why there is no session; nothing can be said of the schema then.
    if (error instanceof TlsError) return [];
    throw error;
  }
  return [
    found
      ? { server: 'source', name, verdict: 'pass', detail: `${pipeline.sourceSchema} exists` }
      : { server: 'source', name, verdict: 'fail', detail: `schema ${pipeline.sourceSchema} does not exist`, fix: 'fix the schema name in --source (or the config), or create it with `dualpipe migrate`' },
  ];
}

/** The capture method, and under binlog capture the source's binlog checks (doctor-binlog.ts). */
async function checkCapture(pipeline: Pipeline): Promise<{ method: CaptureMethod; checks: DoctorCheck[] }> {
  let method: CaptureMethod;
  try {
    method = (await withSession(pipeline.report, (c) => readCaptureMethod(c, pipeline.reportSchema), { database: null })).method;
  } catch (error) {
    if (error instanceof TlsError) return { method: 'triggers', checks: [] };
    throw error;
  }
  const line: DoctorCheck = { server: 'source', name: 'capture method', verdict: 'pass', detail: `${method} (dualpipe capture install --method triggers|binlog)` };
  if (method === 'triggers') return { method, checks: [line] };
  const binlog = await withSession(pipeline.source, (c) => checkBinlogCapture(c), { database: null });
  return { method, checks: [line, ...binlog.map((c) => ({ server: 'source' as const, ...c }))] };
}

/** Runs every doctor check of the pipeline's servers and role accounts. */
export async function runDoctor(pipeline: Pipeline, options: DoctorOptions = {}): Promise<DoctorResult> {
  const checks = [...(await checkSourceSchema(pipeline)), ...(await checkOne(pipeline.source, 'source', pipeline.sameServer))];
  if (!pipeline.sameServer) checks.push(...(await checkOne(pipeline.report, 'report', false)));
  const capture = await checkCapture(pipeline);
  checks.push(...capture.checks);
  checks.push(...(await checkRoleAccounts({ pipeline, capture: capture.method, ...(options.prefix !== undefined ? { prefix: options.prefix } : {}) })));
  return { checks, ok: !checks.some((x) => x.verdict === 'fail') };
}
