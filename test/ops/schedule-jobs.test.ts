/**
 * Every scheduled failure is in the run history, including runs that could not write their own
 * row: a sync that cannot reach the source is recorded by the job around it, and a failure the
 * report server could not take (it was down too) is written at the next recorded run's start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduleJobs } from '../../ops/schedule-jobs.js';
import { defaultSync } from '../../src/config/resolve-config.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { silentLogger } from '../../src/log/logger.js';
import { createPipeline } from '../../src/pipeline.js';
import { freePort } from '../../src/server/embedded-server.js';
import { runSync } from '../../sync/full/run-sync.js';
import { verifyMirrors } from '../../sync/verify/verify.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';

let fx: CrmFixture;
let conn: SqlConnection;
let deadPort: number;

type Run = { id: number; kind: string; strategy: string | null; status: string; error: string | null };

async function runsAfter(id: number): Promise<Run[]> {
  return conn.query<Run>(`SELECT id, kind, strategy, status, error FROM \`${fx.reportSchema}__dualpipe\`._dualpipe_runs WHERE id > ? ORDER BY id`, [id]);
}

async function lastId(): Promise<number> {
  return Number((await conn.query<{ id: number | null }>(`SELECT MAX(id) AS id FROM \`${fx.reportSchema}__dualpipe\`._dualpipe_runs`))[0]?.id ?? 0);
}

beforeAll(async () => {
  fx = await createCrmFixture('schedrec', 0.005);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  // A loopback port nothing listens on: connections are refused at once.
  deadPort = await freePort();
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

describe('scheduled failures in the history', () => {
  it('records a scheduled sync that could not reach its source, with the reason', async () => {
    const before = await lastId();
    const dead = { host: '127.0.0.1', port: deadPort, user: 'root', database: fx.database };
    const pipeline = createPipeline({ source: dead, report: { ...fx.target, database: fx.reportSchema }, sameServer: false });
    const [job] = scheduleJobs({ pipeline, crons: { incremental: '0 * * * *' }, sync: defaultSync, logger: silentLogger });
    await expect(job!.run(new AbortController().signal, 0)).rejects.toThrow(String(deadPort));
    const runs = await runsAfter(before);
    expect(runs.map((r) => [r.kind, r.strategy, r.status])).toEqual([['sync', 'incremental', 'failed']]);
    expect(runs[0]!.error).toContain(String(deadPort));
  });

  it('keeps a failure the report server could not take, and writes it at the next recorded run', async () => {
    const before = await lastId();
    const dead = { host: '127.0.0.1', port: deadPort, user: 'root' };
    const pipeline = createPipeline({ source: { ...dead, database: fx.database }, report: { ...dead, database: fx.reportSchema }, sameServer: true });
    const [job] = scheduleJobs({ pipeline, crons: { verify: '0 * * * *' }, sync: defaultSync, logger: silentLogger });
    await expect(job!.run(new AbortController().signal, 0)).rejects.toThrow(String(deadPort));
    expect(await runsAfter(before)).toEqual([]);

    const result = await verifyMirrors({ pipeline: fx.pipeline });
    expect(result.ok).toBe(true);
    const runs = await runsAfter(before);
    expect(runs.map((r) => [r.kind, r.status])).toEqual([
      ['verify', 'failed'],
      ['verify', 'succeeded'],
    ]);
    expect(runs[0]!.error).toContain(String(deadPort));
  });
});
