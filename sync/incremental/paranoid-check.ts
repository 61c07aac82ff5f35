/**
 * `sync --incremental --paranoid`: per-chunk checksums of every shadow mirror against the
 * snapshot, the same exact row-digest comparison as the full sync's repair pass
 * (src/rows/row-digest-sql.ts), and the chunks that differ rewritten from the snapshot. The safety net for changes the triggers could
 * not see (triggers dropped by hand, writes with triggers off, a damaged MyISAM file).
 */
import type { SqlConnection } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';
import type { Logger } from '../../src/log/logger.js';
import { checksumChunks, schemeForTable } from '../../src/rows/checksum-chunks.js';
import { chunkCondition, diffChunks } from '../../src/rows/chunk-sql.js';
import { copyRows } from '../../src/rows/copy-rows.js';
import { shadowName } from '../shadow/shadow-set.js';
import { type TableMeta, writableColumns } from '../../src/catalog/table-meta.js';

/**
 * Compares every shadow mirror of `metas` chunk by chunk with the snapshot and rewrites the chunks
 * that differ; returns how many chunks were compared and rewritten, and which tables needed it.
 */
export async function checkShadowChunks(
  snap: SqlConnection,
  writer: SqlConnection,
  o: { sourceSchema: string; reportSchema: string; metas: readonly TableMeta[]; chunkRows: number; log: Logger },
): Promise<{ chunksCompared: number; chunksRewritten: number; repaired: string[] }> {
  let chunksCompared = 0;
  let chunksRewritten = 0;
  const repaired: string[] = [];
  for (const meta of o.metas) {
    const shadow = shadowName(meta.name);
    const scheme = await schemeForTable(snap, o.sourceSchema, meta, o.chunkRows);
    const want = await checksumChunks(snap, o.sourceSchema, meta.name, meta, scheme);
    const have = await checksumChunks(writer, o.reportSchema, shadow, meta, scheme);
    chunksCompared += new Set([...want.keys(), ...have.keys()]).size;
    const differing = diffChunks(want, have);
    if (!differing.length) continue;
    chunksRewritten += differing.length;
    repaired.push(meta.name);
    const where = chunkCondition(scheme, meta, differing);
    await writer.execute(`DELETE FROM ${qualify(o.reportSchema, shadow)} WHERE ${where}`);
    await copyRows(snap, writer, { schema: o.sourceSchema, table: meta.name }, { schema: o.reportSchema, table: shadow }, writableColumns(meta), where);
    o.log.warn({ table: meta.name, chunks: differing.length }, 'incremental: chunks differed from the snapshot and were rewritten');
  }
  return { chunksCompared, chunksRewritten, repaired };
}
