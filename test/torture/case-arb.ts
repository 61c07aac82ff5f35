/** A whole torture case (schema, first load, steps), the server's collations, and a replayable script. */
import fc from 'fast-check';
import type { SqlConnection } from '../../src/db/connection.js';
import type { CollationEnv, GenEnv } from './column-arb.js';
import type { TortureCase } from './model.js';
import { schemaDdl } from './render-ddl.js';
import { renderOp } from './render-workload.js';
import { schemaArb } from './schema-arb.js';
import { loadArb, stepsArb } from './workload-arb.js';

/** Reads the server's collations once: per charset, the default first. */
export async function loadCollations(conn: SqlConnection): Promise<CollationEnv> {
  const rows = await conn.query<{ cs: string; co: string; d: string }>(
    'SELECT CHARACTER_SET_NAME AS cs, COLLATION_NAME AS co, IS_DEFAULT AS d FROM information_schema.COLLATIONS WHERE CHARACTER_SET_NAME IS NOT NULL ORDER BY 1, IS_DEFAULT DESC, 2',
  );
  const env: CollationEnv = {};
  for (const r of rows) (env[r.cs] ??= []).push(r.co);
  return env;
}

export function caseArb(env: GenEnv): fc.Arbitrary<TortureCase> {
  return schemaArb(env).chain((schema) =>
    fc.record({
      schema: fc.constant(schema),
      chunkRows: fc.constantFrom(2, 3, 7, 1000),
      load: loadArb(schema),
      steps: stepsArb(schema),
      tamper: fc.nat({ max: 1000 }),
    }),
  );
}

/** The case as one SQL script, with the dualpipe calls as comments: what a human replays. */
export function renderRepro(c: TortureCase): string {
  const out = ['-- schema', ...schemaDdl(c.schema).map((s) => `${s};`), '-- first load'];
  for (const op of c.load) out.push(...renderOp(c.schema, op).map((s) => `${s};`));
  out.push(`-- dualpipe: full sync (chunkRows ${c.chunkRows}), then capture install`);
  c.steps.forEach((ops, i) => {
    out.push(`-- step ${i + 1} (new session)`);
    for (const op of ops) out.push(...renderOp(c.schema, op).map((s) => `${s};`));
    out.push(`-- dualpipe: incremental sync ${i + 1}`);
  });
  out.push('-- dualpipe: backup, restore into a new schema, tamper + verify');
  return out.join('\n');
}
