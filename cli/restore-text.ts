/** The text output of `dualpipe restore` (cli/commands/restore.ts): a merge's and a restore's result in words. */
import type { describeLost, MergeResult, RestoreThenSyncResult } from '../api/index.js';
import { withheldText } from './erasure-key-flag.js';

/** A merge restore's result in words. */
export function describeMerge(r: MergeResult): string {
  const lines = r.tables.map(
    (t) =>
      `${t.table.padEnd(28)} ${String(t.inBackup).padStart(8)} in backup  ${String(t.inserted).padStart(8)} inserted  ` +
      `${String(t.identical).padStart(6)} identical  ${String(t.conflicts).padStart(6)} conflicts` +
      (t.conflictKeys.length ? `  (e.g. ${t.conflictKeys.map((k) => k.join('/')).join(', ')})` : ''),
  );
  lines.push(
    `${r.dryRun ? 'dry run (rolled back): would insert' : 'inserted'} ${r.inserted} row(s) into ${r.target} from ${r.backupDir}; ` +
      `${r.conflicts} row(s) exist now with other content and were left as they are`,
    `read ${r.chunksRead} of ${r.chunksTotal} chunk file(s)${r.keyIndex ? '' : ' (the backup records no key ranges: it was read whole)'}`,
  );
  if (r.withheld) lines.push(withheldText(r.withheld));
  return lines.join('\n');
}

/** A restore's result in words: per table, what was withheld, the rollback window, the archive, the replay. */
export function describeRestore(r: RestoreThenSyncResult, reportSchema: string, isSource: boolean, since: string, lostText: typeof describeLost): string {
  if (r.dryRun) return [...r.notes.map((n) => `-- ${n}`), r.planText ?? ''].join('\n');
  const lines = [...r.notes];
  if (r.lostRows) lines.push(lostText(r.lostRows, since).replace(' will be discarded', ' were discarded'));
  if (r.keptLost)
    lines.push(
      `kept in ${r.keptLost.schema}: ` +
        (r.keptLost.tables.map((t) => `${t.table} (${t.rows} rows${t.whole ? ', the whole table: no primary key' : ''})`).join(', ') || 'nothing (no live row was discarded)'),
    );
  for (const t of r.tables)
    lines.push(
      `${t.table.padEnd(28)} ${String(t.rows).padStart(10)} rows  ${String(t.chunks).padStart(4)} chunks  ` +
        `loaded at ${t.loadedAfterSeconds.toFixed(1)} s  indexes ${t.indexSeconds.toFixed(1)} s${t.replaced ? '  (replaced)' : ''}`,
    );
  for (const s of r.skipped) lines.push(`${s.table} skipped: ${s.reason}`);
  if (r.withheld) lines.push(withheldText(r.withheld));
  lines.push(
    `restored ${r.tables.length} tables, ${r.rows} rows (${(r.bytes / 1024 / 1024).toFixed(1)} MB of chunks) into ${r.target} ` +
      `in ${r.seconds.toFixed(1)} s (${r.rowsPerSecond} rows/s); ${r.foreignKeysChecked} foreign keys checked`,
  );
  if (r.previous)
    lines.push(
      `rollback window: the ${r.replaced.length} replaced tables of ${r.target} are kept in ${r.previous} until the next restore: ` +
        `\`dualpipe restore${isSource ? '' : ` --into ${r.target}`} --rollback\` puts them back, \`--drop-previous\` drops them`,
    );
  else lines.push(`no rollback window: no live table of ${r.target} was replaced, so no previous schema was kept`);
  if (r.archive)
    lines.push(
      `archive: restored ${r.archive.tables} tables, ${r.archive.rows} rows into ${r.archive.schema} (MyISAM)` +
        (r.archive.withheld ? `; ${r.archive.withheld.matched} forgotten row(s) withheld` : '') +
        (r.archive.previous ? `; the replaced archive is in ${r.archive.previous}` : ''),
    );
  if (r.binlogReplay)
    lines.push(`point-in-time recovery: replay the binlog from this backup's snapshot (README, Point-in-time recovery):\n  ${r.binlogReplay}`);
  if (r.sync) lines.push(`sync #${r.sync.runId} rebuilt the mirrors in ${reportSchema} in ${r.sync.seconds.toFixed(1)} s`);
  else if (isSource) lines.push(`the mirrors in ${reportSchema} are now stale: run \`dualpipe sync\``);
  return lines.join('\n');
}

