/** `restore --dry-run`: the restore plan as the statements it runs, in order. Pure. */
import { quoteId } from '../../src/db/quote.js';
import { lockName } from '../../src/lock/run-lock.js';
import type { RestorePlan } from './plan-restore.js';

/** The plan as text for `--dry-run`: what runs, in order. */
export function describeRestorePlan(plan: RestorePlan): string {
  const s = plan.schemas;
  const out = [
    `-- restore ${plan.backupDir} into ${s.target}${plan.targetExists ? '' : ' (created)'}: ` +
      `${plan.totals.tables} tables, ${plan.totals.rows} rows, ${plan.totals.chunks} chunks`,
    `-- replaces ${plan.replaced.length} live table(s)${plan.replaced.length ? `: ${plan.replaced.join(', ')}` : ''}`,
    ...plan.skipped.map((x) => `-- skips ${x.table}: ${x.reason}`),
    `SELECT GET_LOCK('${lockName('restore', s.target)}', 0);`,
    `DROP DATABASE IF EXISTS ${quoteId(s.staging)};`,
    `CREATE DATABASE ${quoteId(s.staging)};`,
    `USE ${quoteId(s.staging)}; SET SESSION foreign_key_checks = 0, unique_checks = 0;`,
    `${plan.infoTableSql};`,
  ];
  for (const t of plan.tables) out.push(`${t.createSql};`);
  for (const t of plan.tables) {
    out.push(`-- ${t.name}: ${t.rows} rows in ${t.loads.length} chunk(s), ${t.bytes} bytes`);
    for (const l of t.loads) out.push(`${l.sql.replace("'chunk'", `'${l.file}'`)};`);
    out.push(`-- check: ${t.rows} rows, content checksum ${t.checksum}`);
    for (const sql of t.alterSqls) out.push(`${sql};`);
  }
  out.push('-- check: no row of any foreign key in the staging schema without its parent row');
  out.push(`DROP DATABASE IF EXISTS ${quoteId(s.previous)};`);
  if (plan.keepsWindow) out.push(`CREATE DATABASE ${quoteId(s.previous)}; -- the rollback window: the replaced tables go here`);
  else out.push(`-- no rollback window: no live table is replaced, so no ${s.previous} is created`);
  if (!plan.targetExists) out.push(`CREATE DATABASE ${quoteId(s.target)};`);
  out.push(`${plan.renameSql};`, `DROP DATABASE ${quoteId(s.staging)};`);
  return out.join('\n');
}
