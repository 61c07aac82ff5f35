/** The `--erasure-key-file` flag of restore and forget (env DUALPIPE_ERASURE_KEY_FILE): the key the erasure ledger's hashes were made with. */
import { resolve } from 'node:path';
import type { ErasureKey, WithheldRows } from '../api/restore.js';
import { readErasureKey } from '../api/light.js';
import type { CliContext } from './context.js';

/** The flag and its help text. */
export const ERASURE_KEY_FLAG = [
  '--erasure-key-file <file>',
  'the erasure ledger key (or env DUALPIPE_ERASURE_KEY_FILE): needed when a forgotten subject must be withheld',
] as const;

/** Reads `--erasure-key-file`, else the file DUALPIPE_ERASURE_KEY_FILE names (relative to the working directory); a key file others can read is warned about. */
export async function erasureKeyFromFlag(c: CliContext, file: string | undefined): Promise<{ erasureKey?: ErasureKey }> {
  const path = file ?? c.io.env.DUALPIPE_ERASURE_KEY_FILE;
  if (path === undefined || path === '') return {};
  return { erasureKey: await readErasureKey(resolve(c.io.cwd, path), (message) => c.logger.warn(message)) };
}

/** One line: the rows a restore or merge withheld because the erasure ledger names them. */
export function withheldText(w: WithheldRows): string {
  const tables = Object.entries(w.byTable).map(([t, n]) => `${t} ${n}`).join(', ');
  return `withheld ${w.matched + w.cascaded} forgotten row(s) (${w.erasures} erasure(s) in the ledger): ${tables || 'none were in the backup'}${w.cascaded ? `; ${w.cascaded} more by cascade` : ''}`;
}
