/**
 * docs/custom-reports.md, followed literally: every fenced block marked `howto` runs in order
 * against a throwaway schema (SQL through a connection, `dualpipe …` lines through the CLI), and the
 * `howto-output` block must equal the query's rows. Only the source URL is swapped for the test's.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector } from '../../src/db/mysql-driver.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { howtoBlocks } from '../helpers/howto-blocks.js';
import { runCliCapture } from '../helpers/run-cli-capture.js';

const statements = (sql: string) => sql.split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean);

let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase('howto_reports');
  dir = mkdtempSync(join(tmpdir(), 'dp-howto-'));
});

afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('docs/custom-reports.md', () => {
  it('runs as written: schema, sync, report new, edit, list, check, sync, query', async () => {
    const blocks = howtoBlocks(readFileSync('docs/custom-reports.md', 'utf8'));
    expect(blocks.map((b) => `${b.lang}:${b.info[1] ?? b.info[0]}`)).toEqual([
      'sql:source', 'sh:howto', 'sh:howto', 'sql:file=reports/rpt_customer_orders.sql', 'sh:howto', 'sh:howto', 'sql:report', 'text:howto-output',
    ]);
    const env: Record<string, string> = {};
    let lastRows: string[] = [];
    const cliOutputs: string[] = [];
    for (const b of blocks) {
      const where = b.info[1];
      if (b.lang === 'sql' && (where === 'source' || where === 'report')) {
        const conn = await createConnector({ ...db.target, database: where === 'source' ? db.database : `${db.database}_report` }).connect();
        try {
          for (const st of statements(b.body)) {
            const rows = await conn.query<Record<string, unknown>>(st);
            if (where === 'report') lastRows = [Object.keys(rows[0] ?? {}).join(' | '), ...rows.map((r) => Object.values(r).map((v) => (v === null ? 'NULL' : String(v as string | number))).join(' | '))];
          }
        } finally {
          await conn.close();
        }
      } else if (b.lang === 'sql' && where?.startsWith('file=')) {
        const path = join(dir, where.slice('file='.length));
        // The file must exist already: `report new` wrote it; the doc's block is the edit.
        expect(readFileSync(path, 'utf8')).toMatch(/TODO/);
        writeFileSync(path, b.body);
      } else if (b.lang === 'sh') {
        for (const line of b.body.split('\n').map((l) => l.trim()).filter(Boolean)) {
          const words = line.split(/\s+/);
          if (words[0] === 'export') {
            const [k, v] = words[1]!.split('=') as [string, string];
            env[k] = k === 'DUALPIPE_SOURCE_URL' ? db.url : v;
          } else if (words[0] === 'mkdir' && words[1] === '-p') mkdirSync(join(dir, words[2]!), { recursive: true });
          else if (words[0] === 'dualpipe') {
            const run = await runCliCapture(words.slice(1), env, dir);
            expect(run.code, `${line}\n${run.stderr}${run.stdout}`).toBe(0);
            cliOutputs.push(run.stdout);
          } else throw new Error(`the how-to has a shell line the test cannot run: ${line}`);
        }
      } else if (b.lang === 'text') {
        expect(lastRows).toEqual(b.body.trimEnd().split('\n'));
      }
    }
    // The shop is not the CRM: no bundled report, and no "skipped" line about one.
    expect(cliOutputs.join('\n')).not.toMatch(/skipped|rpt_customer_360/);
    expect(cliOutputs.some((o) => /rpt_customer_orders: ok, 3 row\(s\), @key customer_id unique/.test(o))).toBe(true);
    expect(cliOutputs.some((o) => /rpt_customer_orders +incremental +reads customer\S*, order_lines, orders/.test(o))).toBe(true);
    // The scratch table of the check is gone.
    const conn = await db.connector.connect();
    const left = await conn.query(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE '\\_\\_dp\\_check%'`, [`${db.database}_report__dualpipe`]);
    await conn.close();
    expect(left).toEqual([]);
  });
});
