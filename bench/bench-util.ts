/** Shared helpers for the bench scripts: a throwaway server, timing, RSS sampling, result tables. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { startEmbeddedServer, stopEmbeddedServer } from '../src/server/embedded-server.js';
import type { ServerFlavor } from '../src/server/server-plan.js';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

/** `--server mysql|mariadb` (default mariadb): the server family a bench runs on. */
export function benchFlavor(): ServerFlavor {
  const v = arg('server', 'mariadb').toLowerCase();
  if (v !== 'mysql' && v !== 'mariadb') throw new Error(`--server must be mysql or mariadb, not ${v}`);
  return v;
}

/** The client tools of the server's own family: MySQL's next to its mysqld (the fetched bin/), else on PATH. */
export interface BenchTools {
  /** The command-line client (`mariadb` or MySQL's `mysql`). */
  client: string;
  /** The logical dump tool (`mariadb-dump` or MySQL's `mysqldump`). */
  dump: string;
  /** Its `--version` line, for the table. */
  dumpVersion: string;
}

function toolsFor(flavor: ServerFlavor, binary: string): BenchTools {
  const beside = (name: string) => (existsSync(join(dirname(binary), name)) ? join(dirname(binary), name) : name);
  const client = flavor === 'mysql' ? beside('mysql') : 'mariadb';
  const dump = flavor === 'mysql' ? beside('mysqldump') : 'mariadb-dump';
  const v = spawnSync(dump, ['--version'], { encoding: 'utf8' });
  const dumpVersion = `${v.stdout ?? ''}`.trim().replace(/^\S*\//, '') || `${dump} (version unknown)`;
  return { client, dump, dumpVersion };
}

/** A throwaway server of `--server`'s family; MySQL runs with GTIDs on, as Debian's my.cnf sets it. */
export async function benchServer(o: { extraArgs?: string[] } = {}): Promise<{
  port: number;
  dir: string;
  flavor: ServerFlavor;
  version: string;
  tools: BenchTools;
  stop: () => Promise<void>;
}> {
  const flavor = benchFlavor();
  const dir = mkdtempSync(join(tmpdir(), 'dualpipe-bench-'));
  const state = await startEmbeddedServer({
    dir,
    install: true,
    server: flavor,
    ...(process.env.DUALPIPE_SERVER_BINARY ? { binary: process.env.DUALPIPE_SERVER_BINARY } : {}),
    // GTID consistency limits MyISAM writes: autocommitted INSERT … SELECT into MyISAM is allowed,
    // CREATE TABLE … SELECT of a MyISAM table is not; the anchors below keep to the former.
    extraArgs: [...(flavor === 'mysql' ? ['--gtid-mode=ON', '--enforce-gtid-consistency=ON'] : []), ...(o.extraArgs ?? [])],
  });
  return {
    port: state.port,
    dir,
    flavor,
    version: state.version ?? '',
    tools: toolsFor(flavor, state.binary),
    stop: async () => {
      await stopEmbeddedServer({ dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Table rows for the anchors that cannot be measured here, saying why instead of leaving them out. */
export function unavailableAnchors(flavor: ServerFlavor, columns: number): string[][] {
  const pad = (what: string, note: string) => [what, 'n/a', ...Array<string>(Math.max(0, columns - 3)).fill(''), note];
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  return [
    pad(
      'mysqlpump',
      flavor === 'mysql'
        ? 'not measured: removed in MySQL 8.4, so the 9.x packages ship none'
        : 'not measured: MariaDB has no mysqlpump',
    ),
    pad(
      'MySQL Shell util.dumpTables / loadDump',
      has('mysqlsh') ? 'not measured: mysqlsh is installed but not wired into this bench' : 'not measured: MySQL Shell (mysqlsh) is not available on this machine',
    ),
  ];
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

/**
 * CPU seconds (user + system) of this process's children that have ended: /proc/self/stat's cutime
 * and cstime, in USER_HZ (100 per second on Linux). NaN where there is no /proc.
 */
function endedChildrenCpu(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) start at the third: cutime is the 16th.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[13]) + Number(rest[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs a command; resolves with its wall time, exit code, peak RSS (VmHWM, sampled), CPU seconds
 * (user + system, Linux; exact only while no other child of this process ends meanwhile), and its
 * standard output when `stdout` is set (else it is discarded).
 */
export function runCommand(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; shell?: boolean; stdout?: boolean } = {},
): Promise<{ seconds: number; code: number | null; peakRssMb: number; cpuSeconds: number; stderr: string; stdout: string }> {
  return new Promise((res) => {
    const t0 = performance.now();
    const cpu0 = endedChildrenCpu();
    const child = spawn(cmd, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
      shell: options.shell ?? false,
    });
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => {
      if (stdout.length < 1_000_000) stdout += d.toString();
    });
    let stderr = '';
    let peak = 0;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
    });
    const sample = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
      } catch {
        // the process has exited between samples
      }
    }, 25);
    child.on('exit', (code) => {
      clearInterval(sample);
      res({ seconds: (performance.now() - t0) / 1000, code, peakRssMb: peak, cpuSeconds: endedChildrenCpu() - cpu0, stderr, stdout });
    });
  });
}

export interface LatencyStats {
  samples: number;
  medianMs: number;
  worstMs: number;
}

/** Runs `op` in a loop until stopped, recording each call's latency. */
export function latencyLoop(op: () => Promise<void>, pauseMs = 5): { stop: () => Promise<LatencyStats> } {
  const lat: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await op();
      lat.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  // A failing op must not crash the bench before its `finally` stops the throwaway server: the
  // error is kept and thrown by stop().
  loop.catch(() => {});
  return {
    async stop() {
      running = false;
      await loop;
      const sorted = [...lat].sort((a, b) => a - b);
      return {
        samples: lat.length,
        medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
        worstMs: sorted[sorted.length - 1] ?? 0,
      };
    },
  };
}

/** Prints a markdown table and saves it (plus JSON) under bench/results/. */
export function saveResults(
  name: string,
  title: string,
  header: string[],
  rows: (string | number)[][],
  extra: object,
): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  let md = [
    `# ${title}`,
    '',
    `Run: ${new Date().toISOString()} on ${process.platform}, node ${process.version}, ${(extra as { server?: string }).server ?? ''}; ` +
      `load average at the end ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} cores (shared machine)`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
  ].join('\n');
  // The exact invocation (`npm run bench:x -- ARGS` runs `node dist/bench/x-bench.js ARGS`).
  const command = ['node', relative(process.cwd(), process.argv[1] ?? ''), ...process.argv.slice(2)].join(' ');
  md = md.replace(/\n\n/, `\n\nCommand: \`${command}\`\n\n`);
  mkdirSync('bench/results', { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(join('bench/results', `${name}-${stamp}.md`), md);
  writeFileSync(join('bench/results', `${name}-latest.md`), md);
  writeFileSync(
    join('bench/results', `${name}-latest.json`),
    `${JSON.stringify({ rows, ...extra }, null, 2)}\n`,
  );
  process.stdout.write(`\n${md}\n`);
  return md;
}

/** Bytes of every file under `dir`, recursively (a backup's size on disk). */
export function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

/** The median of some timings (the upper one of an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
