/**
 * The published JSON Schemas (schemas/json/, shipped in the package) are generated from the zod
 * results in cli/results/: this fails when a result changed and `npm run gen:json-schemas` was not run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles, SCHEMA_DIR } from '../../../cli/results/index.js';

describe('schemas/json', () => {
  const files = jsonSchemaFiles();

  it('holds exactly one schema per command result, as generated (else run `npm run gen:json-schemas`)', () => {
    const committed = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort();
    expect(committed).toEqual([...files.keys()].sort());
    for (const [name, text] of files) expect(readFileSync(join(SCHEMA_DIR, name), 'utf8'), name).toBe(text);
  });

  it('every schema asks for ok, and error on failure', () => {
    for (const [name, text] of files) {
      const schema = JSON.parse(text) as { anyOf: { required: string[]; properties: { ok: { const: boolean } } }[] };
      expect(schema.anyOf.map((s) => s.properties.ok.const), name).toEqual([true, false]);
      expect(schema.anyOf[1]!.required, name).toEqual(expect.arrayContaining(['ok', 'error']));
    }
  });
});
