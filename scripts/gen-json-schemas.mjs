// Writes schemas/json/<command>.schema.json from the zod results in cli/results/ (run after a build:
// `npm run gen:json-schemas` does both). test/cli/results/json-schemas.test.ts fails when they are stale.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaFiles, SCHEMA_DIR } from '../dist/cli/results/index.js';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, SCHEMA_DIR);
mkdirSync(dir, { recursive: true });
const files = jsonSchemaFiles();
for (const f of readdirSync(dir)) if (f.endsWith('.schema.json') && !files.has(f)) rmSync(join(dir, f));
for (const [name, text] of files) writeFileSync(join(dir, name), text);
console.log(`wrote ${files.size} schemas to ${SCHEMA_DIR}/`);
