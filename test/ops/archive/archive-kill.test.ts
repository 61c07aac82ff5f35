/**
 * `dualpipe archive` (the compiled CLI, a child process) on the seeded CRM with many small chunks
 * (--chunk-rows 5), SIGKILLed at several points while a writer inserts and updates contacts and
 * children the filter never selects, then run again to completion. Each kill point archives its
 * own contact id range (`contacts.id BETWEEN a AND b`; the writer's contacts get new, higher ids
 * and it only touches contacts above every range). After each kill and after each completion the
 * state is checked against a snapshot taken before the first run, with plain SQL written here:
 * every subject row is in the archive exactly once (its snapshot content) and gone from the
 * source, every other row (the writer's included) is in the source and not in the archive, and
 * no row is lost or duplicated.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveLockName } from '../../../ops/archive/run-archive.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { columnsOf, rowsOf, SUBJECT } from '../../helpers/crm-subject.js';
import { startWriter, type Written } from '../../helpers/archive-writer.js';
import { exitOf, spawnCli } from '../../helpers/spawn-cli.js';
import { waitQuiet } from '../../helpers/wait-quiet.js';

/**
 * When to SIGKILL: ms after the run takes its lock (node's start-up time varies too much to count
 * from the spawn); once the archive schema exists (its tables being created); when k more chunks
 * are 'done'; or once a chunk's copy is written (its commit maybe not yet made).
 */
type KillAt = { msAfterLock: number } | { schema: true } | { done: number } | { copied: true };

/** Each kill point: its kills in order (each rerun killed by the next), then a run to completion. */
const POINTS: { label: string; kills: KillAt[] }[] = [
  { label: 'as the archive schema appears (its tables being created)', kills: [{ schema: true }] },
  { label: '150 ms after the run took its lock', kills: [{ msAfterLock: 150 }] },
  { label: 'after the first chunk is done', kills: [{ done: 1 }] },
  { label: "with a chunk's copy written and not committed", kills: [{ copied: true }] },
  { label: 'after 2 chunks, then the rerun after 3 more', kills: [{ done: 2 }, { done: 3 }] },
];
const RANGE = 40;

describe('dualpipe archive SIGKILLed at several points with a writer running', () => {
  let fx: CrmFixture;
  let conn: SqlConnection;
  let archive: string;
  let before: Map<string, Map<string, string>>;
  /** Per kill point, per table: the subject keys of its range. */
  let subjects: Map<string, Set<string>>[];
  let ranges: [number, number][];
  let unrelated: number[];
  const written: Written = { inserted: new Map(['contacts', 'addresses', 'contact_tags', 'interactions'].map((t) => [t, new Set<string>()])), touched: new Set() };
  beforeAll(async () => {
    fx = await createCrmFixture('archive_sigkill', 0.01);
    conn = await fx.connector.connect();
    archive = `${fx.database}_archive`;
    const ids = (await conn.query<{ id: number }>('SELECT id FROM contacts ORDER BY id')).map((r) => Number(r.id));
    expect(ids.length).toBeGreaterThan(RANGE * POINTS.length * 2);
    ranges = POINTS.map((_, i) => [ids[i * RANGE]!, ids[(i + 1) * RANGE - 1]!]);
    unrelated = ids.slice(RANGE * POINTS.length + 5);
    subjects = [];
    for (const [a, b] of ranges) {
      const contacts = ids.filter((id) => id >= a && id <= b).join(', ');
      const m = new Map<string, Set<string>>();
      for (const [t, sql] of Object.entries(SUBJECT)) m.set(t, new Set((await conn.query<{ id: string }>(sql.replace('?', contacts))).map((r) => String(r.id))));
      subjects.push(m);
    }
    before = new Map();
    const tables = (await conn.query<{ t: string }>("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND ENGINE = 'InnoDB'")).map((r) => r.t);
    for (const t of tables) before.set(t, (await rowsOf(conn, fx.database, t, await columnsOf(conn, fx.database, t))).rows);
  }, 240_000);
  afterAll(async () => {
    await conn?.close();
    await fx?.drop();
  });

  /**
   * The state after the points before `current` completed (and `current` killed mid-way when `midway`):
   * subject rows of completed points only in the archive, with their snapshot content, once; of the
   * current point in the source or the archive; every other row in the source, untouched unless the writer touched it.
   */
  async function expectState(label: string, current: number, midway: boolean, writer: Written): Promise<void> {
    const archiveExists = (await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [archive])).length > 0;
    for (const [t, rows] of before) {
      const gone = new Set<string>();
      for (let p = 0; p < (midway ? current : current + 1); p++) for (const k of subjects[p]!.get(t) ?? []) gone.add(k);
      const moving = midway ? (subjects[current]!.get(t) ?? new Set<string>()) : new Set<string>();
      const allCols = await columnsOf(conn, fx.database, t);
      const source = (await rowsOf(conn, fx.database, t, allCols)).rows;
      const mine = writer.inserted.get(t) ?? new Set<string>();
      let arch = new Map<string, string>();
      let archCols: string[] = [];
      if (t in SUBJECT && archiveExists && (await columnsOf(conn, archive, t)).length > 0) {
        archCols = await columnsOf(conn, archive, t);
        const a = await rowsOf(conn, archive, t, archCols);
        expect(a.count, `${label}: ${t} archive rows are unique`).toBe(a.rows.size);
        arch = a.rows;
      }
      const project = (r: string) => archCols.map((c) => r.split('|')[allCols.indexOf(c)]).join('|');
      const lost: string[] = [];
      const wrong: string[] = [];
      for (const [k, r] of rows) {
        if (gone.has(k)) {
          if (source.has(k)) wrong.push(`${k} still in the source`);
          if (arch.get(k) !== project(r)) wrong.push(`${k} not in the archive as it was`);
        } else if (moving.has(k)) {
          if (!source.has(k) && !arch.has(k)) lost.push(k);
          if (arch.has(k) && arch.get(k) !== project(r)) wrong.push(`${k} differs in the archive`);
        } else {
          if (!source.has(k)) lost.push(k);
          else if (!writer.touched.has(`${t}:${k}`) && source.get(k) !== r) wrong.push(`${k} changed in the source`);
          if (arch.has(k)) wrong.push(`${k} (not selected) is in the archive`);
        }
      }
      for (const k of mine) {
        if (!source.has(k)) lost.push(`writer's ${k}`);
        if (arch.has(k)) wrong.push(`writer's ${k} is in the archive`);
      }
      expect(lost, `${label}: ${t} rows lost`).toEqual([]);
      expect(wrong, `${label}: ${t}`).toEqual([]);
      // Nothing else anywhere: the source holds the snapshot's survivors and the writer's rows; the archive only subjects.
      for (const k of source.keys()) if (!rows.has(k) && !mine.has(k)) wrong.push(`${k} appeared in the source`);
      for (const k of arch.keys()) if (!gone.has(k) && !moving.has(k)) wrong.push(`${k} appeared in the archive`);
      expect(wrong, `${label}: ${t}`).toEqual([]);
      if (!midway) {
        expect(source.size, `${label}: ${t} source rows`).toBe(rows.size - gone.size + mine.size);
        if (t in SUBJECT) expect(arch.size, `${label}: ${t} archive rows`).toBe(gone.size);
      }
    }
  }

  const journal = () => qualify(archive, '_dualpipe_archive_journal');
  const doneChunks = async () => Number((await conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${journal()} WHERE state = 'done'`).catch(() => [{ n: 0 }]))[0]!.n);

  /** Resolves when `at` is reached (or the child exits first: then the kill point was not reached). */
  async function reach(at: KillAt, child: ReturnType<typeof spawnCli>): Promise<void> {
    const base = 'done' in at ? await doneChunks() : 0;
    while (child.exitCode === null) {
      if ('msAfterLock' in at && (await conn.query<{ id: number | null }>('SELECT IS_USED_LOCK(?) AS id', [archiveLockName(fx.database)]))[0]!.id !== null) return void (await sleep(at.msAfterLock));
      if ('done' in at && (await doneChunks()) >= base + at.done) return;
      if ('schema' in at && (await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [archive])).length > 0) return;
      if ('copied' in at) {
        const open = await conn.query(`SELECT 1 FROM ${journal()} WHERE state = 'copying' AND chunk_keys IS NOT NULL`).catch(() => []);
        if (open.length > 0) return;
      }
      await sleep(3);
    }
  }

  it.each(POINTS.map((p, i) => [p.label, i] as const))('killed %s, then rerun: every row exactly once, none lost', async (label, i) => {
    const [a, b] = ranges[i]!;
    const args = ['archive', '--where', `contacts.id BETWEEN ${a} AND ${b}`, '--chunk-rows', '5', '--source', fx.url];
    const wconn = await fx.connector.connect();
    const writer = startWriter(wconn, unrelated, written);
    try {
      let killed = 0;
      for (const at of POINTS[i]!.kills) {
        const child = spawnCli(args);
        await reach(at, child);
        const finished = child.exitCode !== null;
        child.kill('SIGKILL');
        await exitOf(child);
        if (!finished) killed++;
        await waitQuiet(conn, [fx.database, archive]);
        // The lock dies with the killed run's session, once the server has seen it close.
        for (let w = 0; Number((await conn.query<{ f: number }>('SELECT IS_FREE_LOCK(?) AS f', [archiveLockName(fx.database)]))[0]!.f) !== 1; w++) {
          expect(w, `${label}: the killed run's lock stays held`).toBeLessThan(200);
          await sleep(50);
        }
        await writer.pause();
        await expectState(`${label}, after the kill`, i, true, written);
        writer.resume();
      }
      // Every kill must have caught the run mid-way, or it tested nothing.
      expect(killed, `${label}: the run finished before the kill`).toBe(POINTS[i]!.kills.length);
      const rerun = spawnCli(args);
      let out = '';
      rerun.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      expect(await exitOf(rerun), rerun.stderrText()).toBe(0);
      // A kill with a chunk's copy written leaves that chunk 'copying': the rerun reconciles it first.
      if (POINTS[i]!.kills.some((k) => 'copied' in k)) expect(out).toMatch(/reconciled 1 chunk\(s\) of a killed run/);
    } finally {
      await writer.stop();
      await wconn.close();
    }
    expect(writer.commits(), 'the writer committed while the archive ran').toBeGreaterThan(0);
    await expectState(`${label}, after the rerun`, i, false, written);
    const open = await conn.query(`SELECT run_id, chunk_no, state FROM ${journal()} WHERE state = 'copying'`);
    expect(open, `${label}: chunks left open`).toEqual([]);
  }, 240_000);
});
