/**
 * Start-up cost (issue #19): a command loads only what it uses. `--version` and `--help` load
 * commander and nothing else from node_modules (no mysql2, zod, pino: ~0.6 s of CPU before this
 * was cut); `backup` loads the dump side and not the restore or sync code; `restore --mode merge`
 * does not load the backup writer or the sync. The evidence is the list of modules the compiled
 * CLI resolved, recorded by a loader hook (test/helpers/import-trace/), not a timing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/spawn-cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const REGISTER = resolve('test/helpers/import-trace/register.mjs');
const DIST = pathToFileURL(resolve('dist')).href + '/';
const NODE_MODULES = pathToFileURL(resolve('node_modules')).href + '/';

interface Traced {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Packages resolved from node_modules, by name. */
  packages: Set<string>;
  /** Our own modules, relative to dist/ (e.g. `api/light.js`). */
  modules: Set<string>;
}

let dir: string;

/** Runs the compiled CLI with the import-trace hook and returns what it resolved. */
function traced(args: string[]): Traced {
  const trace = join(dir, `trace-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(REGISTER).href, CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: dir, DUALPIPE_IMPORT_TRACE: trace, DUALPIPE_LOG_LEVEL: 'warn' },
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const urls = readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(
    urls.filter((u) => u.startsWith(NODE_MODULES)).map((u) => {
      const [first, second] = u.slice(NODE_MODULES.length).split('/');
      return first!.startsWith('@') ? `${first}/${second}` : first!;
    }),
  );
  const modules = new Set(urls.filter((u) => u.startsWith(DIST)).map((u) => u.slice(DIST.length)));
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, packages, modules };
}

/** The heavy packages no cheap command may load. */
const HEAVY = ['mysql2', 'zod', 'pino', 'pino-pretty', 'cli-progress', 'node-cron', 'knex', 'prom-client', 'p-limit'];

describe('CLI start-up loads only what the command uses', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dualpipe-startup-'));
    db = await createTestDatabase('startup');
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['--version', '--help', 'backup --help', 'restore --help', 'status --help', 'schedule --help'])(
    '`%s` loads commander only, and no library entry behind api/light.ts',
    (command) => {
      const t = traced(command.split(' '));
      expect(t.status).toBe(0);
      expect(t.stdout.length).toBeGreaterThan(0);
      for (const p of HEAVY) expect(t.packages, p).not.toContain(p);
      expect([...t.packages]).toEqual(['commander']);
      for (const heavy of ['api/index.js', 'api/session.js', 'cli/context.js', 'src/pipeline.js', 'src/db/mysql-driver.js'])
        expect(t.modules, heavy).not.toContain(heavy);
      expect(t.modules).toContain('api/light.js');
    },
  );

  it('status against a server loads mysql2 (the trace sees packages), but not the backup, scheduler or progress bars', () => {
    const t = traced(['status', '--source', db.url]);
    expect(t.stderr).not.toMatch(/looks like a bug/);
    expect(t.packages).toContain('mysql2');
    expect(t.modules).toContain('ops/read-status.js');
    for (const p of ['cli-progress', 'node-cron', 'knex', 'prom-client']) expect(t.packages, p).not.toContain(p);
    for (const m of ['api/index.js', 'backup/dump/run-backup.js', 'sync/full/run-sync.js']) expect(t.modules, m).not.toContain(m);
  });

  it('backup loads the dump side only: no restore, sync or scheduler code', () => {
    const t = traced(['backup', '--to', dir, '--source', db.url]);
    expect(t.stderr).not.toMatch(/looks like a bug/);
    expect(t.modules).toContain('backup/dump/run-backup.js');
    for (const m of ['api/index.js', 'backup/restore/run-restore.js', 'backup/restore/run-merge.js', 'sync/full/run-sync.js', 'ops/schedule.js'])
      expect(t.modules, m).not.toContain(m);
    for (const p of ['cli-progress', 'node-cron']) expect(t.packages, p).not.toContain(p);
  });

  it('restore --mode merge loads the merge, not the backup writer or the sync', () => {
    const t = traced(['restore', '--from', join(dir, 'no-backup-here'), '--mode', 'merge', '--where', 'contacts.id IN (1)', '--source', db.url]);
    expect(t.status).toBe(2);
    expect(t.modules).toContain('backup/restore/run-merge.js');
    for (const m of ['api/index.js', 'backup/dump/run-backup.js', 'sync/full/run-sync.js', 'ops/restore-then-sync.js', 'ops/schedule.js'])
      expect(t.modules, m).not.toContain(m);
    for (const p of ['cli-progress', 'node-cron']) expect(t.packages, p).not.toContain(p);
  });
});
