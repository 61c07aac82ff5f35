/**
 * A source schema and its report schema on the test server, synced incrementally with one capture
 * method, with mirrors compared to the source by this file's own query: every value printed exactly
 * (HEX for strings, binaries, BIT and geometry; ENUM and SET as their index and HEX, since the
 * ENUM error value and a '' member, or the empty set and a '' member, have the same bytes; JSON with
 * its JSON_TYPE, since MySQL's 1.5 as DOUBLE and as DECIMAL print alike; FLOAT/DOUBLE through
 * DOUBLE, whose text is exact; other types as text), nothing shared with the sync's own checksums. `useExactSync`
 * registers the suite's beforeAll/afterAll: the schemas, the tables `prepare` makes, the capture
 * installed, a first (full) sync and one incremental that primes the shadow set.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import type { SqlConnection } from '../../src/db/connection.js';
import { createConnector } from '../../src/db/mysql-driver.js';
import { createPipeline } from '../../src/pipeline.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { installCapture } from '../../sync/capture/capture.js';
import { installChangeCapture } from '../../ops/change-capture.js';
import { type IncrementalResult, runIncrementalSync } from '../../sync/incremental/run-incremental.js';
import type { SyncOptions } from '../../sync/full/run-sync.js';
import { testServerTarget } from './test-database.js';

const HEXED = /char|text|binary|blob|bit|enum|set|geometry|point|linestring|polygon/;

export interface ExactSync {
  readonly method: 'triggers' | 'binlog';
  /** The source schema: a name InnoDB stores encoded (`@0020` for the space, `@0025` for %, letter codes for é). */
  readonly src: string;
  readonly rep: string;
  /** Set by beforeAll. */
  admin: SqlConnection;
  options: SyncOptions;
  q: (table: string) => string;
  /** Every row of a table, each value printed exactly, sorted. */
  rowsOf(schema: string, table: string): Promise<string[]>;
  expectMirrorsExact(tables: readonly string[]): Promise<void>;
  /** An incremental sync that must not fall back to a full one. */
  incremental(): Promise<IncrementalResult>;
}

export function useExactSync(method: 'triggers' | 'binlog', tag: string, prepare: (f: ExactSync) => Promise<void>): ExactSync {
  const src = `t_${tag} é% ${method.slice(0, 3)} ${randomBytes(3).toString('hex')}`;
  const f: ExactSync = {
    method,
    src,
    rep: `${src}_report`,
    admin: undefined as unknown as SqlConnection,
    options: undefined as unknown as SyncOptions,
    q: (t) => qualify(src, t),
    async rowsOf(schema, table) {
      const cols = await f.admin.query<{ c: string; t: string }>(
        'SELECT COLUMN_NAME AS c, DATA_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
        [schema, table],
      );
      expect(cols.length, `${schema}.${table} exists`).toBeGreaterThan(0);
      const exprs = cols.map(({ c, t }) => {
        const col = quoteId(c);
        if (t === 'float' || t === 'double') return `CAST(CAST(${col} AS DOUBLE) AS CHAR)`;
        if (t === 'enum' || t === 'set') return `CONCAT(${col} + 0, ':', HEX(${col}))`;
        if (t === 'json') return `CONCAT(JSON_TYPE(${col}), ':', HEX(${col}))`;
        if (HEXED.test(t)) return `HEX(${col})`;
        return `CAST(${col} AS CHAR)`;
      });
      const rows = await f.admin.query<Record<string, unknown>>(
        `SELECT CONCAT_WS('|', ${exprs.map((e) => `IFNULL(${e}, '<null>')`).join(', ')}) AS __row FROM ${qualify(schema, table)}`,
      );
      return rows.map((r) => String(r.__row)).sort();
    },
    async expectMirrorsExact(tables) {
      for (const t of tables) expect(await f.rowsOf(f.rep, t), `mirror ${t}`).toEqual(await f.rowsOf(src, t));
    },
    async incremental() {
      const r = await runIncrementalSync(f.options);
      expect(r.fullSyncReason, 'ran incrementally').toBeUndefined();
      return r;
    },
  };

  beforeAll(async () => {
    const server = testServerTarget();
    f.admin = await createConnector(server).connect({ database: null });
    await f.admin.execute(`CREATE DATABASE ${quoteId(src)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    f.options = {
      pipeline: createPipeline({ source: { ...server, database: src }, report: { ...server, database: f.rep }, sameServer: true }),
      chunkRows: 100,
      reports: [],
    };
    await prepare(f);
    if (method === 'triggers') await installCapture(f.admin, src);
    else await installChangeCapture(f.options.pipeline, { method });
    const first = await runIncrementalSync(f.options);
    expect(first.fullSyncReason).toBe('no earlier sync');
    await f.incremental(); // primes the shadow set
  });

  afterAll(async () => {
    for (const s of [src, f.rep]) await f.admin.execute(`DROP DATABASE IF EXISTS ${quoteId(s)}`);
    await f.admin.close();
  });

  return f;
}
