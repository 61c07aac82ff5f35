/**
 * The fast way of a merge restore into its scratch schema, for a backup that records its chunks'
 * key ranges (chunk-key-index.ts): the tables of the merge are loaded one by one, parents first,
 * each with only the chunks that can hold the chosen rows or rows depending on them, and marked as
 * soon as it is in, so the marked parent keys choose the chunks of the next table. A chunk holds
 * many rows, so only its lines that can hold such a row are loaded (merge-line-filter.ts). Each
 * chunk read is checked against its size and SHA-256 in the manifest and its line count against
 * its row count (load-filtered-chunk.ts). Tables are not checked against their content checksums: those
 * cover every row of a table, and only some chunks are read; the chunk hashes cover what is read.
 */
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { qualify, quoteId } from '../../src/db/quote.js';
import { DualpipeError, UsageError } from '../../src/errors.js';
import type { Logger } from '../../src/log/logger.js';
import type { ManifestChunk, ManifestTable } from '../format/manifest.js';
import type { LocatedBackup } from '../format/read-backup.js';
import { splitTableDdl } from '../format/split-table-ddl.js';
import { openLoadSession } from './load-chunk.js';
import { enumIndexColumns, loadDataSql } from './load-data-sql.js';
import { chunkBlocks, dependentChunks, type MarkedReference, rootChunks, sortExact, type Wanted } from './merge-chunks.js';
import { blockReadBytes, dependentMatch, loadFiltered, rootMatch } from './load-filtered-chunk.js';
import type { LineMatch } from './merge-line-filter.js';
import { MARK, type MergePlan } from './plan-merge.js';
import type { RowFilter } from './where-filter.js';


/** True when every table of the merge records its chunks' key ranges: the fast way can run. */
export function hasKeyIndex(backup: LocatedBackup, plan: MergePlan): boolean {
  return plan.tables.every((p) => backup.manifest.tables.find((t) => t.kind === 'mirror' && t.name === p.name)?.keyColumns !== undefined);
}

/**
 * The CREATE TABLE of the backup without its foreign keys (the scratch copy only holds rows to
 * compare), with the MARK column, in `engine`. MyISAM first: a merge's scratch tables hold a few
 * rows, and creating and dropping nine InnoDB tables (each its own tablespace file, synced) plus
 * an ALTER for the mark took 0.7 to 1.1 s on MariaDB 10.11, against about 0.1 s for MyISAM.
 */
export function scratchTableSql(t: ManifestTable, file: string, engine: 'MyISAM' | 'InnoDB'): string {
  const sql = splitTableDdl(t.name, t.ddl, { defer: false, file }).createSql;
  const lines = sql.split('\n');
  const end = lines.findIndex((l, i) => i > 0 && l.startsWith(')'));
  const body = lines
    .slice(1, end)
    .map((l) => l.replace(/,$/, ''))
    .filter((l) => !/^\s+CONSTRAINT `(?:[^`]|``)+` FOREIGN KEY/.test(l));
  body.push(`  ${quoteId(MARK)} TINYINT NOT NULL DEFAULT 0`);
  const tail = lines.slice(end).join('\n');
  const options = /\bENGINE=\w+/.test(tail) ? tail.replace(/\bENGINE=\w+/, `ENGINE=${engine}`) : `${tail} ENGINE=${engine}`;
  return `${lines[0]}\n${body.join(',\n')}\n${options}`;
}

/**
 * Creates a scratch table: MyISAM, or InnoDB when the table's DDL does not fit MyISAM (a key
 * longer than its 1000 bytes, an InnoDB-only table option): the same rows either way.
 */
async function createScratchTable(conn: SqlConnection, t: ManifestTable, file: string): Promise<void> {
  try {
    await conn.execute(scratchTableSql(t, file, 'MyISAM'));
  } catch {
    await conn.execute(scratchTableSql(t, file, 'InnoDB'));
  }
}

/** The values of `column` on the marked rows of a scratch table, ascending; undefined if one is not an integer. */
async function markedValues(admin: SqlConnection, scratch: string, table: string, column: string): Promise<bigint[] | undefined> {
  const rows = await admin.query<{ v: unknown }>(`SELECT DISTINCT ${quoteId(column)} AS v FROM ${qualify(scratch, table)} WHERE ${quoteId(MARK)} = 1 AND ${quoteId(column)} IS NOT NULL`);
  const out: bigint[] = [];
  for (const r of rows) {
    const text = String(r.v);
    if (!/^-?\d{1,20}$/.test(text)) return undefined;
    out.push(BigInt(text));
  }
  return sortExact(out);
}

/** What `loadMergeScratch` needs: the located backup, the plan and filter, the sessions' connector. */
export interface LoadMergeScratchInput {
  connector: SqlConnector;
  admin: SqlConnection;
  backup: LocatedBackup;
  plan: MergePlan;
  filter: RowFilter;
  key?: Buffer;
  log: Logger;
}

/**
 * Creates the scratch schema with the merge's tables, loads only the chunks that matter and marks
 * the rows (see the file header); returns how many chunks it read and how many of their bytes.
 */
export async function loadMergeScratch(i: LoadMergeScratchInput): Promise<{ chunksRead: number; bytesRead: number }> {
  const { admin, backup, plan, log } = i;
  const scratch = plan.scratch;
  const file = `${backup.dir}/manifest.json`;
  const byName = new Map(backup.manifest.tables.filter((t) => t.kind === 'mirror').map((t) => [t.name, t]));
  await admin.execute(`CREATE DATABASE ${quoteId(scratch)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const conn = await openLoadSession(i.connector, scratch);
  let chunksRead = 0;
  let bytesRead = 0;
  try {
    for (const p of plan.tables) await createScratchTable(conn, byName.get(p.name)!, file);
    log.debug({ tables: plan.tables.length }, 'merge: scratch tables created');
    for (const p of plan.tables) {
      const t = byName.get(p.name)!;
      const into = plan.edges.filter((e) => e.child === p.name);
      let chunks: ManifestChunk[];
      let match: LineMatch;
      let wanted: Wanted | undefined;
      // Rows reached through the table's own key (a reply to a note) may be in any chunk and line.
      if (into.some((e) => e.parent === p.name)) chunks = t.chunks;
      else if (p.name === plan.root) {
        chunks = rootChunks(t, i.filter.conditions);
        match = rootMatch(t, i.filter.conditions);
        wanted = { conditions: i.filter.conditions };
      } else {
        const refs: MarkedReference[] = [];
        for (const e of into)
          refs.push({ columns: e.columns, values: await Promise.all(e.referenced.map((c) => markedValues(admin, scratch, e.parent, c))) });
        chunks = dependentChunks(t, refs);
        match = dependentMatch(t, refs);
        wanted = { refs };
      }
      const sql = loadDataSql(scratch, t.name, t.columns);
      const indexColumns = enumIndexColumns(t.columns);
      let tableChunks = 0;
      for (const c of chunks) {
        // An encrypted block is found by its plaintext offset, which needs the chunk's plaintext size.
        const blocks = wanted && (!i.key || c.rawBytes !== undefined) ? chunkBlocks(t, c, wanted) : undefined;
        if (blocks?.length === 0) continue;
        tableChunks++;
        bytesRead += blocks ? blocks.reduce((a, k) => a + blockReadBytes(c, k), 0) : c.bytes;
        await loadFiltered(conn, { dir: backup.dir, table: t.name, chunk: c, sql, match, indexColumns, ...(i.key ? { key: i.key } : {}), ...(blocks ? { blocks } : {}) });
      }
      chunksRead += tableChunks;
      log.debug({ table: t.name, chunks: tableChunks, of: t.chunks.length }, 'merge: loaded the chunks that can hold the rows');
      if (p.name === plan.root) {
        const root = await admin.execute(plan.markRoot.sql, plan.markRoot.params);
        if (root.affectedRows === 0)
          throw new UsageError(`no row of ${plan.root} in the backup matches --where`, { hint: 'check the values; nothing was changed' });
      }
      const propagate = plan.edges.flatMap((e, k) => (e.child === p.name ? [plan.propagateSql[k]!] : []));
      // Parents are loaded and marked before their children: one pass marks every row of a table
      // that references none of its own; only a key to itself needs passes until nothing changes.
      const selfReferencing = into.some((e) => e.parent === p.name);
      for (let pass = 0; propagate.length; pass++) {
        if (pass > 1000) throw new DualpipeError('merge: the dependent rows did not settle after 1000 passes');
        let changed = 0;
        for (const sql of propagate) changed += (await admin.execute(sql)).affectedRows;
        if (changed === 0 || !selfReferencing) break;
      }
    }
  } finally {
    await conn.close();
  }
  return { chunksRead, bytesRead };
}
