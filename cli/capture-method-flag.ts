import { UsageError } from '../api/light.js';

/** `--method` / `--capture`: which change capture (sync/capture/capture-method.ts), or one usage line. */
export function parseCaptureMethod(flag: string): (text: string) => 'triggers' | 'binlog' {
  return (text) => {
    if (text === 'triggers' || text === 'binlog') return text;
    throw new UsageError(`invalid ${flag} "${text}"`, { hint: 'use triggers or binlog' });
  };
}
