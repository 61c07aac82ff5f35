/** The `--json` documents of cli/json-output.ts: ok, error codes per class, redaction, arrays and times. */
import { describe, expect, it } from 'vitest';
import { jsonErrorOf, jsonFailure, jsonSuccess } from '../../cli/json-output.js';
import { ConnectionError, DriftError, LockBusyError, MissingSchemaError, UsageError } from '../../src/errors.js';

describe('json-output', () => {
  it('error codes: the class name in SCREAMING_SNAKE_CASE, with its exit code', () => {
    expect(jsonErrorOf(new LockBusyError('dualpipe_sync'))).toMatchObject({ code: 'LOCK_BUSY', exitCode: 4 });
    expect(jsonErrorOf(new MissingSchemaError('crm'))).toMatchObject({ code: 'MISSING_SCHEMA', exitCode: 2, hint: expect.stringContaining('migrate') });
    expect(jsonErrorOf(new DriftError(['contacts']))).toMatchObject({ code: 'DRIFT', exitCode: 3 });
    expect(jsonErrorOf(new UsageError('bad'))).toEqual({ code: 'USAGE', message: 'bad', hint: null, exitCode: 2 });
    expect(jsonErrorOf(new TypeError('x'))).toMatchObject({ code: 'UNEXPECTED', exitCode: 1 });
  });

  it('never shows a password from a URL in the message', () => {
    const e = jsonErrorOf(new ConnectionError('source', 'cannot reach mysql://root:hunter2@db1:3306/crm'));
    expect(e.code).toBe('CONNECTION');
    expect(JSON.stringify(e)).not.toContain('hunter2');
  });

  it('success and failure documents: ok last wins over a result field, arrays wrapped, times ISO', () => {
    expect(JSON.parse(jsonSuccess({ ok: false, at: new Date(0) }))).toEqual({ ok: true, at: '1970-01-01T00:00:00.000Z' });
    expect(JSON.parse(jsonSuccess([1, 2]))).toEqual({ ok: true, result: [1, 2] });
    expect(JSON.parse(jsonSuccess(undefined))).toEqual({ ok: true });
    const failed = JSON.parse(jsonFailure(jsonErrorOf(new DriftError(['a'])), { tables: ['a'] })) as Record<string, unknown>;
    expect(failed).toMatchObject({ ok: false, tables: ['a'], error: { code: 'DRIFT' } });
  });
});
