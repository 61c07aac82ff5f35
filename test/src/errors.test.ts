/**
 * Every error class the package exports maps, by an explicit entry in EXIT_CODES, to the exit
 * code the README documents ("Exit codes"); a subclass of one's own takes its parent's code.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../../api/index.js';
import {
  BackupError,
  ChangeLogKeyError,
  ChunkAuthError,
  DamagedDataError,
  DualpipeError,
  FileAccessError,
  InternalError,
  SchemaChangedError,
  StepError,
  UsageError,
} from '../../src/errors.js';
import { type ErrorClass, EXIT_CODES, ExitCode, exitCodeFor } from '../../src/exit-codes.js';

/** The documented code of every exported error class, by name. */
const DOCUMENTED: Record<string, number> = {
  DualpipeError: 1,
  UsageError: 2,
  ConfigError: 2,
  MissingSchemaError: 2,
  UnsupportedTableError: 2,
  FileAccessError: 2,
  TargetPathError: 2,
  ConnectionError: 1,
  TlsError: 1,
  StallError: 1,
  ThrottleError: 1,
  ServerError: 1,
  StepError: 1,
  AbortedError: 1,
  SchemaChangedError: 1,
  TargetError: 1,
  DriftError: 3,
  StaleError: 3,
  LockBusyError: 4,
  DamagedDataError: 5,
  BackupError: 5,
  ChunkAuthError: 5,
  ChangeLogKeyError: 5,
  InternalError: 70,
  // Its instances exit with their own verdict code (1, 2 or 3): see the test below.
  CheckVerdictError: 1,
};

const exportedErrorClasses = Object.entries(api as unknown as Record<string, unknown>).filter(
  (entry): entry is [string, ErrorClass] => typeof entry[1] === 'function' && (entry[1] as { prototype: unknown }).prototype instanceof Error,
);

describe('exit codes of the error classes', () => {
  it('exports every error class, each a DualpipeError, and no other', () => {
    expect(exportedErrorClasses.map(([name]) => name).sort()).toEqual(Object.keys(DOCUMENTED).sort());
    for (const [name, cls] of exportedErrorClasses) {
      expect(cls === DualpipeError || cls.prototype instanceof DualpipeError, name).toBe(true);
    }
  });

  it.each(Object.entries(DOCUMENTED))('%s exits %i, listed by name in EXIT_CODES', (name, code) => {
    const cls = (api as unknown as Record<string, ErrorClass>)[name]!;
    expect(EXIT_CODES.get(cls), name).toBe(code);
    // An instance without running the constructor: the mapping depends on the class alone.
    expect(exitCodeFor(Object.create(cls.prototype as object)), name).toBe(code);
  });

  it('a status --check verdict exits with its own plugin code', () => {
    for (const code of [1, 2, 3] as const) expect(exitCodeFor(new api.CheckVerdictError('DUALPIPE X - y', code))).toBe(code);
  });

  it('EXIT_CODES lists no class the package does not export, and only codes of ExitCode', () => {
    const exported = new Set(exportedErrorClasses.map(([, cls]) => cls));
    for (const [cls, code] of EXIT_CODES) {
      expect(exported.has(cls), cls.name).toBe(true);
      expect(Object.values(ExitCode)).toContain(code);
    }
  });

  it('the README lists every code of ExitCode', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const line = readme.slice(readme.indexOf('Exit codes:'), readme.indexOf('Every error is one line'));
    for (const code of Object.values(ExitCode)) expect(line, `exit ${code}`).toContain(`**${code}**`);
  });

  it('a subclass of ones own takes its nearest listed ancestor; anything else exits 1', () => {
    class MyBackupProblem extends BackupError {}
    class MyUsage extends UsageError {}
    expect(exitCodeFor(new MyBackupProblem('f', 'bad'))).toBe(ExitCode.damaged);
    expect(exitCodeFor(new MyUsage('bad'))).toBe(ExitCode.usage);
    expect(exitCodeFor(new Error('plain'))).toBe(ExitCode.failure);
    expect(exitCodeFor('a string')).toBe(ExitCode.failure);
    expect(exitCodeFor(undefined)).toBe(ExitCode.failure);
  });

  it('the classes with context keep it, and say it in one line', () => {
    const chunk = new ChunkAuthError('chunks/0000-00000.tsv', 'segment 3 fails authentication');
    expect(chunk).toBeInstanceOf(BackupError);
    expect(chunk).toBeInstanceOf(DamagedDataError);
    expect(chunk.file).toBe('chunks/0000-00000.tsv');
    expect(chunk.name).toBe('ChunkAuthError');
    expect(chunk.message).toBe('chunks/0000-00000.tsv: segment 3 fails authentication');
    const key = new ChangeLogKeyError('contacts', 'malformed key [1]');
    expect(key.table).toBe('contacts');
    expect(key.source).toBe('the change log of contacts');
    expect(key.hint).toMatch(/capture install/);
    expect(new SchemaChangedError('crm.contacts', 'has no column x').table).toBe('crm.contacts');
    expect(new FileAccessError('/b/manifest.json', 'cannot read').path).toBe('/b/manifest.json');
    const bug = new InternalError('freePort', 'no port');
    expect(bug.where).toBe('freePort');
    expect(bug.message).toBe('internal error in freePort: no port');
    expect(bug.hint).toMatch(/bug/);
    const step = new StepError('restore check', 'contacts', { detail: 'row count mismatch' });
    expect(step.message).toBe('restore check of contacts failed: row count mismatch');
    expect(step.cause).toBeUndefined();
    for (const e of [chunk, key, bug, step]) expect(e.message).not.toContain('\n');
  });
});
