/** The human text of an incremental plan (`dualpipe sync --incremental --dry-run`). */
import type { IncrementalPlan } from './plan-incremental.js';

const ACTION: Record<string, string> = { CASCADE: 'cascade', 'SET NULL': 'set null', 'SET DEFAULT': 'set default' };

/** Describes what an incremental run would do, one line per table and step. Pure. */
export function describeIncrementalPlan(plan: IncrementalPlan): string {
  if (plan.kind === 'full') return `incremental sync runs as a full sync: ${plan.reason}`;
  const lines = [
    `incremental sync of ${plan.sourceSchema} into ${plan.reportSchema}: ${plan.changeLogRows} change(s) logged, ` +
      `${plan.cascadeRows} row(s) reached by cascades`,
  ];
  const why = new Map(plan.copiedWhole.map((w) => [w.table, w.reason]));
  for (const s of plan.steps) {
    switch (s.step) {
      case 'prepare-shadow':
        lines.push(s.prime ? `shadow set: copy the ${s.tables.length} live tables first (${s.reason ?? 'missing'})` : 'shadow set: build on the existing one');
        break;
      case 'apply':
        if (s.whole) lines.push(`${s.table.padEnd(28)} copy whole: ${why.get(s.table) ?? ''}`);
        else if (s.logKeys + s.cascadeKeys + s.journalKeys)
          lines.push(`${s.table.padEnd(28)} ${s.logKeys} logged, ${s.cascadeKeys} cascaded, ${s.journalKeys} re-applied keys`);
        break;
      case 'paranoid-check':
        lines.push(`paranoid: compare chunk checksums of ${s.tables.length} shadow mirror(s) with the snapshot`);
        break;
      case 'refresh-reports':
        for (const r of s.reports) lines.push(`${r.name.padEnd(28)} ${r.whole ? 'rebuild whole' : 'refresh by key'}`);
        break;
      case 'publish':
        lines.push(`publish: one RENAME swaps ${s.tables.length} table(s) with their shadows`);
        break;
      case 'consume-log':
        lines.push(`consume ${s.rows} change-log row(s)`);
        break;
    }
  }
  for (const c of plan.cascades) {
    const acts = [c.onDelete, c.onUpdate].map((r, i) => (ACTION[r] ? `on ${i ? 'update' : 'delete'} ${ACTION[r]}` : '')).filter(Boolean);
    lines.push(`cascade rule: ${c.parent} -> ${c.child} (${c.fk}: ${acts.join(', ')})`);
  }
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}
