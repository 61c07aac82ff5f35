import { join } from 'node:path';
import { runCli } from '../../cli/run-cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in-process with an argv array and captured output. The default state directory is
 * `<cwd>/.local-state/dualpipe` (XDG_STATE_HOME), never the user's own, so tests stay apart.
 */
export async function runCliCapture(
  argv: string[],
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { PATH: process.env.PATH, DUALPIPE_LOG_LEVEL: 'silent', XDG_STATE_HOME: join(cwd, '.local-state'), ...env },
    cwd,
  });
  return { code, stdout, stderr };
}
