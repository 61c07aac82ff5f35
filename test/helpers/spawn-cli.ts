import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve('dist/bin/dualpipe.js');

/** Starts the compiled CLI as a child process with JSON logs on stderr. */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
): ChildProcess & { stderrText: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', DUALPIPE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return Object.assign(child, { stderrText: () => err });
}

/** Resolves when the child's stderr matches `pattern` (or rejects if it exits first). */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  return new Promise((res, rej) => {
    let seen = '';
    const timer = setTimeout(
      () => rej(new Error(`timed out waiting for ${pattern}; got: ${seen.slice(-500)}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        res();
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!pattern.test(seen)) rej(new Error(`exited with ${code} before ${pattern}: ${seen.slice(-500)}`));
    });
  });
}

/** Waits for a child to exit and returns its code. */
export function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) res(child.exitCode);
    else child.once('exit', (code) => res(code));
  });
}
