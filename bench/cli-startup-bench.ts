/**
 * node dist/bench/cli-startup-bench.js [--before DIR/bin/dualpipe.js] [--rounds 5] [--server mariadb|mysql]
 * The CLI's fixed start-up cost (issue #19): wall and CPU (user + sys) time of `--version`,
 * `--help`, `backup --help` and `status` (against a throwaway server with the CRM schema
 * migrated and one sync done), median of --rounds runs. With --before (the compiled CLI of an older
 * build, e.g. one built from `git archive <commit>`), both builds run interleaved in the same
 * rounds, so machine load falls on both alike.
 */
import { spawnSync } from 'node:child_process';
import { migrate } from '../schema/index.js';
import { arg, benchServer, median, saveResults } from './bench-util.js';

const rounds = Number(arg('rounds', '5'));
const before = arg('before', '');

interface Sample {
  wall: number;
  cpu: number;
  status: number | null;
}

/** One run of `node BIN ARGS` under /usr/bin/time (its user + sys seconds are the CPU cost). */
function run(bin: string, args: string[]): Sample {
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DUALPIPE_LOG_LEVEL: 'warn' },
  });
  const wall = (performance.now() - started) / 1000;
  const m = /cpu (\S+) (\S+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no timing from /usr/bin/time: ${r.stderr.slice(-300)}`);
  return { wall, cpu: Number(m[1]) + Number(m[2]), status: r.status };
}

const server = await benchServer();
try {
  const target = { host: '127.0.0.1', port: server.port, user: 'root', database: 'crm' };
  const url = `mysql://root@127.0.0.1:${server.port}/crm`;
  await migrate(target);
  const after = 'dist/bin/dualpipe.js';
  const sync = run(after, ['sync', '--source', url]);
  if (sync.status !== 0) throw new Error(`the sync before the status runs failed (exit ${sync.status})`);
  const commands: [string, string[]][] = [
    ['--version', ['--version']],
    ['--help', ['--help']],
    ['backup --help', ['backup', '--help']],
    ['status', ['status', '--source', url]],
  ];
  const builds: [string, string][] = before ? [['before', before], ['after', after]] : [['this build', after]];
  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < rounds; round++)
    for (const [name, args] of commands)
      for (const [build, bin] of round % 2 ? [...builds].reverse() : builds) {
        const s = run(bin, args);
        if (s.status !== 0) throw new Error(`${build} ${name} exited ${s.status}`);
        const key = `${build}\t${name}`;
        samples.set(key, [...(samples.get(key) ?? []), s]);
      }
  const cell = (build: string, name: string, pick: (s: Sample) => number) => median(samples.get(`${build}\t${name}`)!.map(pick)).toFixed(3);
  const header = ['command', ...builds.flatMap(([b]) => [`${b} wall s`, `${b} CPU s`])];
  const rows = commands.map(([name]) => [name, ...builds.flatMap(([b]) => [cell(b, name, (s) => s.wall), cell(b, name, (s) => s.cpu)])]);
  const bare = Array.from({ length: rounds }, () => run('-e', ['0']));
  rows.push(['(bare `node -e 0`)', ...builds.flatMap(() => [median(bare.map((s) => s.wall)).toFixed(3), median(bare.map((s) => s.cpu)).toFixed(3)])]);
  saveResults('cli-startup', `CLI start-up, median of ${rounds} (${server.flavor} ${server.version})`, header, rows, {
    server: `${server.flavor} ${server.version}`,
    before: before || undefined,
  });
} finally {
  await server.stop();
}
