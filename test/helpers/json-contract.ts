/**
 * Checks a `--json` run against the contract (README "JSON output"): stdout is exactly one JSON
 * document, valid against the published schema of its command (schemas/json/), `ok` true exactly
 * when the exit code is 0, a failure has `error` with that exit code, and every time is ISO 8601
 * with Z. (Log lines go to fd 2, not to the captured stderr: test/cli/json-log-level.test.ts checks the level.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import type { CliRun } from './run-cli-capture.js';

// ajv-formats is CommonJS: its default export is the module object under NodeNext.
const addFormats = (addFormatsModule as unknown as { default: typeof addFormatsModule }).default ?? addFormatsModule;
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

/** A validator per schema file, compiled once. */
const validators = new Map<string, ReturnType<Ajv2020['compile']>>();

function validatorOf(name: string): ReturnType<Ajv2020['compile']> {
  let v = validators.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(join('schemas/json', `${name}.schema.json`), 'utf8')) as object);
    validators.set(name, v);
  }
  return v;
}

const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Every value under a time key (`…At`, `at`, `now`, pino's `time`) of `value`, with its path. */
function times(value: unknown, path = '$'): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => times(v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [
    ...(/(?:^at|At|^now|^time)$/.test(k) && v !== null ? ([[`${path}.${k}`, v]] as [string, unknown][]) : []),
    ...times(v, `${path}.${k}`),
  ]);
}

/** The document of a run checked against the contract and `schema`; `exit` is the expected exit code. */
export function expectContract(run: CliRun, schema: string, exit: number): Record<string, unknown> {
  expect(run.code, `${schema}: ${run.stderr}${run.stdout}`).toBe(exit);
  // Exactly one document: JSON.parse takes the whole of stdout or throws.
  const doc = JSON.parse(run.stdout) as Record<string, unknown>;
  const validate = validatorOf(schema);
  expect(validate(doc), `${schema}: ${JSON.stringify(validate.errors)}\n${run.stdout.slice(0, 2000)}`).toBe(true);
  expect(doc.ok).toBe(exit === 0);
  if (exit !== 0) {
    const error = doc.error as { code: string; message: string; exitCode: number };
    expect(error.exitCode).toBe(exit);
    expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(error.message.length).toBeGreaterThan(0);
  }
  for (const [path, t] of times(doc)) expect(t, `${schema} ${path}`).toMatch(ISO_Z);
  return doc;
}
