/** The CLI's `backup` and `backup keygen` actions load this (api/light.ts explains why). */
export { runBackup } from '../backup/dump/run-backup.js';
export { writeNewKey } from '../backup/format/backup-key.js';
