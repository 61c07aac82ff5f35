import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ReportCheck, ReportProblem } from '../../api/index.js';
import { UsageError } from '../../api/light.js';
import type { GetContext } from '../context.js';
import { addReportFlags, type ReportFlags, reportSetOf } from '../report-flags.js';

/** One EXPLAIN cell as text ('-' for NULL). */
const cell = (x: unknown): string =>
  x === null || x === undefined ? '-' : typeof x === 'string' || typeof x === 'number' || typeof x === 'bigint' ? String(x) : JSON.stringify(x);

const problemLine = (p: ReportProblem) => `${p.file}:${p.line}: ${p.message}`;

function describeCheck(r: ReportCheck): string {
  const lines = [`${r.report}: ${r.ok ? 'ok' : 'FAILED'}${r.rows !== null ? `, ${r.rows} row(s)` : ''}` +
    (r.key && r.ok ? `, @key ${r.key.columns.join(', ')} unique and never NULL` : '')];
  for (const p of r.problems) lines.push(`  ${problemLine(p)}`);
  for (const plan of r.explain) {
    lines.push('  EXPLAIN of the build:');
    for (const row of plan) {
      const v = (k: string) => cell(row[k]);
      lines.push(`    ${v('table').padEnd(20)} ${v('type').padEnd(8)} key=${v('key').padEnd(16)} rows=${v('rows').padEnd(8)} ${v('Extra')}`);
    }
  }
  return lines.join('\n');
}

/** `dualpipe report new|list|check`: the user's own report files (docs/custom-reports.md). */
export function registerReportCommands(program: Command, ctx: GetContext): void {
  const report = program.command('report').description('write, list and check report files (rpt_*.sql); see docs/custom-reports.md');

  report
    .command('new <name>')
    .description('write a commented template report file rpt_<name>.sql (never over an existing file)')
    .option('--dir <dir>', 'the folder (default: the first --reports-dir / reports.dir)')
    .option('--reports-dir <dir>', 'a folder of report files (repeatable)', (v: string, p: string[] = []) => [...p, v])
    .action(async (name: string, flags: ReportFlags & { dir?: string }) => {
      const c = ctx();
      const dir = flags.dir ? resolve(c.io.cwd, flags.dir) : reportSetOf(c, flags).dirs?.[0];
      if (!dir) throw new UsageError('where should the report go?', { hint: 'give --dir DIR, or set --reports-dir / reports.dir' });
      const { writeReportTemplate } = await import('../../api/reports.js');
      const written = writeReportTemplate(dir, name);
      c.print({ ok: true, ...written }, () => `wrote ${written.file}: edit it, then run \`dualpipe report check ${written.table}\``);
    });

  addReportFlags(report.command('list').description('the report files a sync builds: name, title, folder, mirrors read, incremental or not')).action(
    async (flags: ReportFlags) => {
      const c = ctx();
      const set = reportSetOf(c, flags);
      const { listReports, loadReportSet } = await import('../../api/reports.js');
      const reports = listReports(loadReportSet(set));
      const note = set.builtin === undefined ? 'the bundled CRM reports are added when the source is the CRM schema (--builtin-reports lists them)' : undefined;
      c.print({ ok: true, reports, ...(note ? { note } : {}) }, () =>
        [
          ...reports.map((r) => `${r.name.padEnd(30)} ${r.incremental ? 'incremental' : 'rebuilt    '}  reads ${r.mirrors.join(', ')}\n  ${r.title}\n  in ${r.folder}`),
          ...(reports.length ? [] : ['no report files']),
          ...(note ? [`note: ${note}`] : []),
        ].join('\n'),
      );
    },
  );

  addReportFlags(
    report
      .command('check [name]')
      .description('check report files: annotations, build from the mirrors into a scratch schema, @key unique and not NULL, EXPLAIN')
      .addHelpText('after', '\nExit codes: 0 every report checked is fine, 2 a report is bad (nothing in the report schema changes).'),
  ).action(async (name: string | undefined, flags: ReportFlags) => {
    const c = ctx();
    const set = reportSetOf(c, flags);
    const { checkReport, lintReportsDirs, listSourceTables, loadReportSet } = await import('../../api/reports.js');
    const problems = lintReportsDirs(set.dirs ?? []);
    if (problems.length) {
      c.print({ ok: false, problems, reports: [] }, () => problems.map(problemLine).join('\n'));
      throw new UsageError(`${problems.length} problem(s) in the report files`, { hint: 'fix the lines named above' });
    }
    let tables: string[] | undefined;
    if (set.builtin === undefined) {
      // Whether the bundled CRM reports belong to the set depends on the source (report-set.ts).
      const src = await c.pipeline.source.connect();
      try {
        tables = await listSourceTables(src, c.pipeline.sourceSchema);
      } finally {
        await src.close();
      }
    }
    const defs = loadReportSet(set, tables).filter((d) => !name || d.name === name || d.name === `rpt_${name}`);
    if (name && defs.length === 0) throw new UsageError(`no report ${name} in the report folders`, { hint: 'see `dualpipe report list`' });
    const results: ReportCheck[] = [];
    for (const def of defs) results.push(await checkReport(c.pipeline, def));
    const ok = results.every((r) => r.ok);
    c.print({ ok, reports: results }, () => (results.length ? results.map(describeCheck).join('\n') : 'no report files to check'));
    if (!ok) throw new UsageError(`${results.filter((r) => !r.ok).length} report(s) failed the check`, { hint: 'fix the lines named above' });
  });
}
