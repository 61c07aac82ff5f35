/**
 * The incremental rows of bench:sync, on its server and data: the triggers' cost to a writer,
 * the full sync incremental runs follow (the reference of the ratio column), the first run after
 * it (copies the shadow set), runs after 1% and 0.01% of the rows changed, the catch-up run after
 * the 1%, and runs with the writer and analyst loops going.
 */
import type { ConnectionTarget, SqlConnection } from '../src/db/connection.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { installCapture } from '../sync/capture/capture.js';
import { type LatencyStats, latencyLoop, runCommand } from './bench-util.js';
import { changeShare } from './incremental-changes.js';

interface Cost {
  changeLogRows: number;
  keysApplied: number;
  rowsMoved: number;
  reportKeys: number;
}

const costText = (c: Cost | undefined) =>
  c ? `${c.changeLogRows} logged changes, ${c.keysApplied} keys applied, ${c.rowsMoved} rows moved, ${c.reportKeys} report keys` : 'ran as a full sync';

/** The cost an incremental run recorded in the run history. */
async function lastCost(conn: SqlConnection): Promise<Cost | undefined> {
  const rows = await conn.query<{ details: string }>(
    "SELECT details FROM crm_report._dualpipe_runs WHERE kind = 'sync' AND status = 'succeeded' ORDER BY id DESC LIMIT 1",
  );
  return (JSON.parse(rows[0]!.details) as { cost?: Cost }).cost;
}

export async function incrementalRows(o: {
  /** `node` arguments of a full sync. */
  cli: string[];
  env: { env: Record<string, string> };
  url: string;
  target: ConnectionTarget;
  writer: SqlConnection;
  admin: SqlConnection;
  writeOp: () => Promise<void>;
  loops: () => { stop: () => Promise<LatencyStats> }[];
  fmt: (s: LatencyStats) => string;
}): Promise<string[][]> {
  const r2 = (x: number) => x.toFixed(2);
  const noCapture = latencyLoop(o.writeOp, 0);
  await new Promise((r) => setTimeout(r, 3000));
  const wNo = await noCapture.stop();
  await installCapture(o.writer, 'crm');
  const withCapture = latencyLoop(o.writeOp, 0);
  await new Promise((r) => setTimeout(r, 3000));
  const wYes = await withCapture.stop();
  const run = async (args: string[], label: string) => {
    const r = await runCommand('node', args, o.env);
    if (r.code !== 0) throw new Error(`${label} failed: ${r.stderr}`);
    return { ...r, cost: await lastCost(o.admin) };
  };
  const incCli = [...o.cli, '--incremental'];
  const full = await run(o.cli, 'full sync');
  const prime = await run(incCli, 'priming run');
  // Changes go through their own session: the writer loop keeps its own for its commits.
  const changer = await createConnector(o.target).connect();
  try {
    const ch1 = await changeShare(changer, 0.01, 0);
    const inc1 = await run(incCli, 'incremental after 1%');
    const catchUp = await run(incCli, 'catch-up run');
    const ch001 = await changeShare(changer, 0.0001, 1);
    const inc001 = await run(incCli, 'incremental after 0.01%');
    const verify = await runCommand('node', ['dist/bin/dualpipe.js', 'verify', '--source', o.url], o.env);
    const during = o.loops();
    const loaded: number[] = [];
    for (let i = 0; i < 5; i++) {
      await changeShare(changer, 0.0001, 2 + i);
      loaded.push((await run(incCli, 'loaded incremental')).seconds);
    }
    const [wi, ai, pi] = (await Promise.all(during.map((l) => l.stop()))) as [LatencyStats, LatencyStats, LatencyStats];
    const share = (s: number) => r2(s / full.seconds);
    return [
      [
        'writer commits/s without / with change-capture triggers',
        `${(wNo.samples / 3).toFixed(0)} / ${(wYes.samples / 3).toFixed(0)}`,
        '',
        `median commit ${wNo.medianMs.toFixed(2)} ms / ${wYes.medianMs.toFixed(2)} ms (2 statements, 2 logged rows per commit)`,
      ],
      ['dualpipe sync (full, capture installed): the reference of the rows below', r2(full.seconds), '', 'ratio column below: share of this time'],
      ['first incremental after a full sync (copies the shadow set once)', r2(prime.seconds), share(prime.seconds), 'one-time cost after every full sync'],
      [
        `dualpipe sync --incremental after 1% changed (${ch1.total} rows: ${ch1.updated} updated, ${ch1.inserted} inserted, ${ch1.deleted} deleted by cascades)`,
        r2(inc1.seconds),
        share(inc1.seconds),
        costText(inc1.cost),
      ],
      ['next incremental, nothing changed (the shadow copy catches up with the 1%)', r2(catchUp.seconds), share(catchUp.seconds), costText(catchUp.cost)],
      [
        `dualpipe sync --incremental after 0.01% changed (${ch001.total} rows: ${ch001.updated} updated, ${ch001.inserted} inserted, ${ch001.deleted} deleted)`,
        r2(inc001.seconds),
        share(inc001.seconds),
        `${costText(inc001.cost)}; verify after it: ${verify.code === 0 ? 'mirrors match' : `exit ${verify.code}`}`,
      ],
      [
        'incremental runs with writer + analyst running (0.01% changed before each, 5 runs)',
        r2(Math.max(...loaded)),
        share(Math.max(...loaded)),
        `slowest of 5; writer ${o.fmt(wi)}, analyst aggregate ${o.fmt(ai)}, primary-key probe ${o.fmt(pi)} (worst / median)`,
      ],
    ];
  } finally {
    await changer.close();
  }
}
