/** `--json` lowers the log level to warn unless `--log-level` or DUALPIPE_LOG_LEVEL says otherwise (cli/context.ts). */
import { describe, expect, it } from 'vitest';
import { CliContext, type GlobalOptions } from '../../cli/context.js';

const level = (options: GlobalOptions, env: Record<string, string> = {}) =>
  new CliContext({ stdout: { write: () => true }, stderr: { write: () => true }, env, cwd: '/' }, options).logLevel;

describe('log level under --json', () => {
  it('is warn with --json, info without', () => {
    expect(level({ json: true })).toBe('warn');
    expect(level({})).toBe('info');
  });

  it('--log-level and DUALPIPE_LOG_LEVEL still win', () => {
    expect(level({ json: true, logLevel: 'debug' })).toBe('debug');
    expect(level({ json: true }, { DUALPIPE_LOG_LEVEL: 'info' })).toBe('info');
  });
});
