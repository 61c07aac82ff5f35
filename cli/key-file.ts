/** The `--encrypt-key-file` flag of the commands that read backups (backup verify, restore). */
import type { BackupKey } from '../api/index.js';
import { readBackupKey } from '../api/light.js';
import type { CliContext } from './context.js';

/** Reads `--encrypt-key-file`; a key file others can read is warned about on stderr. */
export async function keyFromFlag(c: CliContext, file: string | undefined): Promise<{ key?: BackupKey }> {
  if (file === undefined) return {};
  return { key: await readBackupKey(file, (message) => c.logger.warn(message)) };
}

/** The flag and its help text. */
export const KEY_FILE_FLAG = ['--encrypt-key-file <file>', 'AES-256 key file (64 hex digits or base64; `dualpipe backup keygen FILE` makes one)'] as const;
