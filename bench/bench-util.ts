/** Shared helpers for the bench scripts: a throwaway server, timing, RSS sampling, result tables. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedServer, stopEmbeddedServer } from '../src/server/embedded-server.js';

export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

export async function benchServer(): Promise<{ port: number; dir: string; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'dualpipe-bench-'));
  const state = await startEmbeddedServer({ dir, install: true });
  return {
    port: state.port,
    dir,
    stop: async () => {
      await stopEmbeddedServer({ dir });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

/** Runs a command; resolves with its wall time, exit code and peak RSS (VmHWM, sampled). */
export function runCommand(
  cmd: string,
  args: string[],
  options: { env?: Record<string, string>; shell?: boolean } = {},
): Promise<{ seconds: number; code: number | null; peakRssMb: number; stderr: string }> {
  return new Promise((res) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
      shell: options.shell ?? false,
    });
    let stderr = '';
    let peak = 0;
    child.stderr.on('data', (d: Buffer) => {
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
      res({ seconds: (performance.now() - t0) / 1000, code, peakRssMb: peak, stderr });
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
  const md = [
    `# ${title}`,
    '',
    `Run: ${new Date().toISOString()} on ${process.platform}, node ${process.version}, ${(extra as { server?: string }).server ?? ''}`,
    '',
    line(header),
    line(header.map(() => '---')),
    ...rows.map(line),
    '',
  ].join('\n');
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
