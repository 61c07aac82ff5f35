/**
 * npm run torture -- [--seed S] [--runs N] [--minutes M] [--shrink-minutes X] [--disable a,b] [--cross-server] [--capture binlog] [--keep]
 *
 * The long run of the torture test (test/torture): generated schemas and workloads through
 * dualpipe's full and incremental syncs, verify, backup and restore, judged by the independent
 * oracle. Cases run in batches of fast-check seeds S, S+1, …; the first failure of each class is
 * shrunk (fast-check, same class) to a minimal schema and workload for up to X minutes. Prints and
 * saves (bench/results/torture-latest.md, .json; torture-cross-server-latest.* with --cross-server) a summary: schemas, syncs, statements, rows,
 * failures by class with seed and minimal repro, and the longest run of clean cases.
 * `--enable json-opaque` switches on what is off by default (MySQL JSON values with opaque types).
 * `--disable float,versioned,pk:bit,hostile-names,…` switches generator features off to look past
 * classes already found. `--cross-server` runs with `sameServer: false` (rows streamed through
 * dualpipe). Uses DUALPIPE_TEST_URL when set, else a throwaway embedded server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseMysqlUrl } from '../src/config/parse-url.js';
import type { ConnectionTarget } from '../src/db/connection.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { caseArb, loadCollations, renderRepro } from '../test/torture/case-arb.js';
import type { GenEnv } from '../test/torture/column-arb.js';
import { classify, type Failure } from '../test/torture/failure.js';
import type { TortureCase } from '../test/torture/model.js';
import { runCase } from '../test/torture/run-case.js';
import { probeServer } from '../test/torture/server-features.js';
import { arg, benchServer } from './bench-util.js';

const seed0 = Number(arg('seed', String(Date.now() % 2_147_483_647)));
const maxRuns = Number(arg('runs', '1000000'));
const minutes = Number(arg('minutes', '10'));
const shrinkMinutes = Number(arg('shrink-minutes', '3'));
const disable = new Set(arg('disable', '').split(',').filter(Boolean));
const enable = new Set(arg('enable', '').split(',').filter(Boolean));
const keep = process.argv.includes('--keep');
const crossServer = process.argv.includes('--cross-server');
/** `--capture binlog`: incremental syncs read the binlog (the throwaway server runs with it on). */
const capture = arg('capture', 'triggers') === 'binlog' ? 'binlog' : 'triggers';
const BATCH = 5;

interface Found {
  cls: string;
  count: number;
  seed: number;
  path: string;
  failure: Failure;
  repro: string;
  shrunk: boolean;
}

const tally = { cases: 0, invalidDdl: 0, refused: 0, failed: 0, syncs: 0, statements: 0, failedStatements: 0, rows: 0, longestClean: 0 };
const found = new Map<string, Found>();
const invalidSamples: string[] = [];
let clean = 0;
/** The case running now: when the server dies, this is the one that killed it. */
let current: TortureCase | undefined;

class CaseError extends Error {
  constructor(readonly failure: Failure) {
    super(`[${classify(failure)}] ${failure.step}: ${failure.detail.split('\n')[0]}`);
  }
}

async function main(): Promise<void> {
  const given = process.env.DUALPIPE_TEST_URL;
  const bench = given ? undefined : await benchServer(capture === 'binlog' ? { extraArgs: ['--log-bin=binlog', '--binlog-format=ROW', '--server-id=1'] } : {});
  const server: ConnectionTarget = given ? parseMysqlUrl(given, 'DUALPIPE_TEST_URL') : { host: '127.0.0.1', port: bench!.port, user: 'root' };
  delete server.database;
  const started = Date.now();
  let lastSeed = seed0;
  const deadline = started + minutes * 60_000;
  try {
    const conn = await createConnector(server).connect({ database: null });
    const genv: GenEnv = { collations: await loadCollations(conn), server: await probeServer(conn), disable, enable };
    await conn.close();
    const arb = caseArb(genv);
    /** One case; counts it; throws CaseError on a failure of class `only` (any class when undefined). */
    const property = (only?: string) => async (c: TortureCase) => {
      current = c;
      const out = await runCase(c, { server, keep, crossServer, capture });
      if (only !== undefined) {
        if (out.status === 'invalid-ddl') fc.pre(false);
        if (out.status === 'failed' && classify(out.failure) === only) throw new CaseError(out.failure);
        return;
      }
      tally.cases++;
      tally.syncs += out.stats.syncs;
      tally.statements += out.stats.statements;
      tally.failedStatements += out.stats.failedStatements;
      tally.rows += out.stats.rowsChecked;
      if (out.status === 'invalid-ddl') {
        tally.invalidDdl++;
        if (invalidSamples.length < 5) invalidSamples.push(out.error.split('\n')[0]!);
        fc.pre(false);
      }
      if (out.status === 'refused') tally.refused++;
      if (out.status === 'failed') {
        tally.failed++;
        clean = 0;
        throw new CaseError(out.failure);
      }
      clean++;
      tally.longestClean = Math.max(tally.longestClean, clean);
    };
    for (let seed = seed0; tally.cases < maxRuns && Date.now() < deadline; seed++) {
      lastSeed = seed;
      const runs = Math.min(BATCH, maxRuns - tally.cases);
      const left = deadline - Date.now();
      const d = await fc.check(fc.asyncProperty(arb, property()), { seed, numRuns: runs, endOnFailure: true, interruptAfterTimeLimit: left });
      if (!d.failed || !d.counterexample) continue;
      const err = d.errorInstance;
      if (!(await serverAlive(server))) {
        // The server itself died during this case (seen: a segfault in a restore's ALTER TABLE … ADD
        // FOREIGN KEY): record the case as it is, no shrinking, and stop.
        const failure: Failure = { kind: 'crash', step: 'server died', detail: String(err), columns: [] };
        found.set('server died', { cls: 'server died', count: 1, seed, path: d.counterexamplePath ?? '', failure, repro: renderRepro(current ?? d.counterexample[0]), shrunk: false });
        console.error(`seed ${seed}: the server died (${String(err)}); stopping`);
        break;
      }
      if (!(err instanceof CaseError)) {
        console.error(`seed ${seed}: ${String(err)}`);
        continue;
      }
      const cls = classify(err.failure);
      const known = found.get(cls);
      if (known) {
        known.count++;
        console.log(`seed ${seed}: again ${cls}`);
        continue;
      }
      console.log(`seed ${seed}: NEW ${cls} (path ${d.counterexamplePath})${shrinkMinutes > 0 ? '; shrinking…' : ''}`);
      const entry: Found = { cls, count: 1, seed, path: d.counterexamplePath ?? '', failure: err.failure, repro: renderRepro(d.counterexample[0]), shrunk: false };
      found.set(cls, entry);
      if (shrinkMinutes <= 0) continue;
      const s = await fc.check(fc.asyncProperty(arb, property(cls)), {
        seed, path: d.counterexamplePath ?? undefined, numRuns: 1, interruptAfterTimeLimit: shrinkMinutes * 60_000,
      });
      if (!(await serverAlive(server))) {
        entry.cls = `${cls} (the server died while shrinking)`;
        if (current) found.set('server died', { cls: 'server died (while shrinking)', count: 1, seed, path: '', failure: { kind: 'crash', step: 'server died', detail: 'the server died while this shrunk case ran', columns: [] }, repro: renderRepro(current), shrunk: false });
        console.error('the server died while shrinking; stopping');
        break;
      }
      if (s.failed && s.counterexample && s.errorInstance instanceof CaseError) {
        entry.path = s.counterexamplePath ?? entry.path;
        entry.failure = s.errorInstance.failure;
        entry.repro = renderRepro(s.counterexample[0]);
        entry.shrunk = true;
        console.log(`  shrunk in ${s.numShrinks} steps to ${entry.repro.split('\n').length} lines`);
      }
      save(started, seed);
    }
    save(started, lastSeed);
  } finally {
    await bench?.stop();
  }
}

async function serverAlive(server: ConnectionTarget): Promise<boolean> {
  try {
    const c = await createConnector(server).connect({ database: null });
    await c.close();
    return true;
  } catch {
    return false;
  }
}

function save(started: number, lastSeed: number): void {
  const minutesRun = ((Date.now() - started) / 60_000).toFixed(1);
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  const md = [
    '# Torture run (generated schemas and workloads vs the oracle)',
    '',
    `Run: ${new Date().toISOString()}, seeds ${seed0}…${lastSeed}, ${minutesRun} min, node ${process.version}${crossServer ? ', cross-server' : ''}${disable.size ? `, disabled: ${[...disable].join(', ')}` : ''}`,
    '',
    line(['schemas', 'invalid DDL', 'refused', 'failed', 'syncs checked', 'statements (failed)', 'rows checked', 'longest clean run']),
    line(Array<string>(8).fill('---')),
    line([tally.cases, tally.invalidDdl, tally.refused, tally.failed, tally.syncs, `${tally.statements} (${tally.failedStatements})`, tally.rows, tally.longestClean]),
    '',
    '## Failures by class',
    '',
    line(['class', 'cases', 'seed', 'path', 'step', 'table']),
    line(Array<string>(6).fill('---')),
    ...[...found.values()].map((f) => line([f.cls.replaceAll('|', '\\|'), f.count, f.seed, `\`${f.path}\``, f.failure.step, f.failure.table ?? ''])),
    '',
    ...(invalidSamples.length ? ['## Invalid DDL samples', '', ...invalidSamples.map((s) => `- ${s}`), ''] : []),
    '## Minimal repros',
    '',
    ...[...found.values()].flatMap((f) => [
      `### ${f.cls}`,
      '',
      `seed ${f.seed}, path \`${f.path}\`${f.shrunk ? ' (shrunk)' : ''}; ${f.failure.step}${f.failure.table ? `, table ${f.failure.table}` : ''}`,
      '',
      '```',
      f.failure.detail.split('\n').slice(0, 6).join('\n'),
      '```',
      '',
      '```sql',
      f.repro,
      '```',
      '',
    ]),
  ].join('\n');
  mkdirSync('bench/results', { recursive: true });
  // One file per mode: a same-server and a cross-server run can go on side by side.
  const base = crossServer ? 'torture-cross-server-latest' : 'torture-latest';
  writeFileSync(join('bench/results', `${base}.md`), md);
  writeFileSync(join('bench/results', `${base}.json`), `${JSON.stringify({ seed0, lastSeed, minutes: Number(minutesRun), tally, found: [...found.values()] }, null, 2)}\n`);
  console.log(md.split('## Minimal repros')[0]);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
