/** Asking the user y/N on the terminal, for changes that discard data (restore, rollback). */
import { createInterface } from 'node:readline';
import { UsageError } from '../api/light.js';
import type { CliContext } from './context.js';

/** True when there is a terminal to ask on. */
export const terminal = (c: CliContext): boolean => c.io.stderr.isTTY === true && process.stdin.isTTY === true;

/** A y/N answer on the terminal; without one, `--yes` is the only way to say yes. */
export async function confirm(c: CliContext, question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!terminal(c))
    throw new UsageError(`${question}: refusing without confirmation`, { hint: 'pass --yes to confirm (there is no terminal to ask on)' });
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: c.io.stderr as NodeJS.WritableStream });
    rl.on('SIGINT', () => rl.close());
    rl.on('close', () => resolve(false));
    rl.question(`${question}? [y/N] `, (answer) => {
      resolve(/^y(es)?$/i.test(answer.trim()));
      rl.close();
    });
  });
}
