import { describe, expect, it } from 'vitest';
import { PASSWORD_PROMPT_FLAG, rewriteMysqlArgv } from '../../cli/connection-options.js';

describe('rewriteMysqlArgv (MySQL habits before commander parses argv)', () => {
  it('turns -? into --help and a bare -p/--password into the prompt flag, never taking the next word', () => {
    expect(rewriteMysqlArgv(['sync', '-?'])).toEqual(['sync', '--help']);
    expect(rewriteMysqlArgv(['sync', '-p', 'crm'])).toEqual(['sync', PASSWORD_PROMPT_FLAG, 'crm']);
    expect(rewriteMysqlArgv(['sync', '-pSECRET'])).toEqual(['sync', '-pSECRET']);
  });

  it('moves connection flags written before the command name to the end, with their values', () => {
    expect(rewriteMysqlArgv(['-u', 'bob', '-p', '--host', 'db1', 'sync', '--incremental'])).toEqual([
      'sync',
      '--incremental',
      '-u',
      'bob',
      PASSWORD_PROMPT_FLAG,
      '--host',
      'db1',
    ]);
    expect(rewriteMysqlArgv(['-uBob', '--port=3307', '-D', 'sales', 'backup', 'list'])).toEqual(['backup', 'list', '-uBob', '--port=3307', '-D', 'sales']);
    expect(rewriteMysqlArgv(['--no-defaults', '--login-path', 'ops', 'status'])).toEqual(['status', '--no-defaults', '--login-path', 'ops']);
  });

  it('keeps the program options (and their values) in front, and anything after -- where it is', () => {
    expect(rewriteMysqlArgv(['--json', '--source', 'mysql://h/crm', '-u', 'x', 'status'])).toEqual(['--json', '--source', 'mysql://h/crm', 'status', '-u', 'x']);
    expect(rewriteMysqlArgv(['--config=c.json', '-S', '/s.sock', 'sync', '--', '-u'])).toEqual(['--config=c.json', 'sync', '-S', '/s.sock', '--', '-u']);
    expect(rewriteMysqlArgv(['sync', '-u', 'x'])).toEqual(['sync', '-u', 'x']);
  });
});
