/**
 * `schedule --archive-cron` (#18): the scheduler runs the config file's archive rule like its
 * other jobs. One firing (a hand-fired cron timer, as in schedule.test.ts) moves what `archive`
 * would (counted by plain SQL before), and records an `archive` run in the history; a busy
 * archive lock makes the firing a skip (recorded as a failed run, like a busy backup); without a rule, the CLI refuses in one line, exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CronTimer, startScheduler } from '../../ops/schedule.js';
import { scheduleJobs } from '../../ops/schedule-jobs.js';
import { defaultSync } from '../../src/config/resolve-config.js';
import type { SqlConnection } from '../../src/db/connection.js';
import { archiveLockName } from '../../src/lock/archive-lock.js';
import { silentLogger } from '../../src/log/logger.js';
import { runSync } from '../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../helpers/crm-fixture.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

/** A cron timer fired by hand. */
class HandTimer implements CronTimer {
  readonly fires = new Map<string, () => void>();
  schedule(_expression: string, fire: () => void, options: { name: string }) {
    this.fires.set(options.name, fire);
    return { stop: () => Promise.resolve(this.fires.delete(options.name)).then(() => undefined) };
  }
  fire(name: string): void {
    this.fires.get(name)?.();
  }
}

let fx: CrmFixture;
let conn: SqlConnection;
let cut: number;

beforeAll(async () => {
  fx = await createCrmFixture('schedarc', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
  [{ cut }] = (await conn.query<{ cut: number }>('SELECT id AS cut FROM contacts ORDER BY id LIMIT 1 OFFSET 12')) as [{ cut: number }];
}, 240_000);

afterAll(async () => {
  await conn?.close();
  await fx?.drop();
});

const jobsFor = () =>
  scheduleJobs({ pipeline: fx.pipeline, crons: { archive: '*/5 * * * * *' }, archive: { where: `contacts.id < ${Number(cut)}`, chunkRows: 4 }, sync: defaultSync, logger: silentLogger });

describe('scheduled archive', () => {
  it('a busy archive lock makes the firing a skip', async () => {
    const holder = await fx.connector.connect({ database: null });
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [archiveLockName(fx.database)]);
      const timer = new HandTimer();
      const handle = startScheduler(jobsFor(), { timer });
      timer.fire('archive');
      await handle.idle();
      await handle.stop();
      expect(handle.stats).toEqual({ runs: 0, failures: 0, skipped: 1, idle: 0 });
    } finally {
      await holder.close();
    }
    expect((await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${fx.database}_archive`])).length).toBe(0);
  });

  it('one firing archives what the rule selects and records the run', async () => {
    const [{ n }] = (await conn.query<{ n: number }>('SELECT COUNT(*) AS n FROM contacts WHERE id < ?', [cut])) as [{ n: number }];
    expect(Number(n)).toBe(12);
    const timer = new HandTimer();
    const handle = startScheduler(jobsFor(), { timer });
    timer.fire('archive');
    await handle.idle();
    await handle.stop();
    expect(handle.stats).toEqual({ runs: 1, failures: 0, skipped: 0, idle: 0 });
    const [{ left }] = (await conn.query<{ left: number }>('SELECT COUNT(*) AS `left` FROM contacts WHERE id < ?', [cut])) as [{ left: number }];
    const [{ moved }] = (await conn.query<{ moved: number }>(`SELECT COUNT(*) AS moved FROM \`${fx.database}_archive\`.contacts`)) as [{ moved: number }];
    expect(Number(left) + Number(moved)).toBe(12);
    expect(Number(moved)).toBeGreaterThan(0);
    // The skipped firing is in the history too, as a failure naming the lock (as a busy backup's is).
    const runs = await conn.query<{ status: string; details: string; error: string | null }>(`SELECT status, details, error FROM \`${fx.reportSchema}__dualpipe\`._dualpipe_runs WHERE kind = 'archive' ORDER BY id`);
    expect(runs.map((r) => r.status)).toEqual(['failed', 'succeeded']);
    expect(runs[0]!.error).toMatch(/lock/i);
    expect((JSON.parse(runs[1]!.details) as { subjects: number }).subjects).toBe(Number(moved));
  }, 240_000);

  it('without an archive rule: one line, exit 2', async () => {
    const r = await runCliCapture(['schedule', '--archive-cron', '0 1 * * *', '--source', fx.url]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--archive-cron needs an archive rule: set archive.where/);
  });
});
