/**
 * A reader that closes the pipe early (`dualpipe backup --help | head -3`) used to crash the CLI
 * with an uncaught EPIPE and a stack trace; output is now dropped and the command ends normally.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from '../helpers/spawn-cli.js';

/** Runs the CLI with stdout closed by the reader after its first bytes; the exit code and stderr. */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a closed stdout pipe', () => {
  it('ends `--help` quietly with exit 0 instead of an uncaught EPIPE', async () => {
    // Long help, several writes: the later ones meet the closed pipe.
    for (const args of [['backup', '--help'], ['restore', '--help'], ['--help']]) {
      const r = await runIntoClosedPipe(args);
      expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    }
  });
});
