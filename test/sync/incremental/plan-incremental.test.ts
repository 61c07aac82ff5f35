/** The incremental planner, without a server: facts in, plan out. */
import { describe, expect, it } from 'vitest';
import type { KeySet } from '../../../sync/capture/change-log.js';
import type { ForeignKey } from '../../../src/catalog/foreign-keys.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import { describeIncrementalPlan } from '../../../sync/incremental/describe-incremental-plan.js';
import {
  type ChangeFacts,
  fallbackReason,
  type IncrementalFacts,
  type IncrementalRunPlan,
  type IncrementalStep,
  planIncremental,
  runKeys,
  type SourceFacts,
} from '../../../sync/incremental/plan-incremental.js';
import { type ReportDefinition, reportFingerprints } from '../../../sync/reports/report-definitions.js';

const meta = (name: string, primaryKey: string[] = ['id'], estimatedRows = 100): TableMeta => ({
  name,
  engine: 'InnoDB',
  columns: [{ name: 'id', dataType: 'int', columnType: 'int(11)', nullable: false, generated: false }],
  primaryKey,
  estimatedRows,
  dataBytes: 0,
});
const fk = (name: string, child: string, parent: string, o: Partial<ForeignKey> = {}): ForeignKey => ({
  name,
  child,
  parent,
  columns: [`${parent}_id`],
  referenced: ['id'],
  onDelete: 'CASCADE',
  onUpdate: 'RESTRICT',
  ...o,
});
const keys = (...ks: [string, boolean][]): KeySet => new Map(ks.map(([k, removed]) => [k, { removed }]));
const report = (name: string, dependsOn: string[], incremental = true): ReportDefinition => ({
  name,
  title: name,
  statements: [`CREATE TABLE {{target}} AS SELECT * FROM {{${dependsOn[0]}}}`],
  dependsOn,
  file: `${name}.sql`,
  ...(incremental ? { incremental: { key: ['id'], rowChanges: [], queryChanges: [], refresh: ['DELETE FROM {{target}}'] } } : {}),
});

const TABLES = [meta('notes'), meta('contacts'), meta('transactions'), meta('items', ['transaction_id', 'n'])];
const FKS = [
  fk('fk_tx_contact', 'transactions', 'contacts'),
  fk('fk_item_tx', 'items', 'transactions', { columns: ['transaction_id'], onUpdate: 'CASCADE' }),
  fk('fk_note_contact', 'notes', 'contacts', { onDelete: 'SET NULL' }),
];
const REPORTS = [report('rpt_sales', ['contacts', 'transactions']), report('rpt_items', ['items'], false)];
const DDL = Object.fromEntries(TABLES.map((t) => [t.name, `CREATE TABLE \`${t.name}\` (id int)`]));

function source(o: Partial<SourceFacts> = {}): SourceFacts {
  const tables = o.tables ?? TABLES;
  const reports = o.reports ?? REPORTS;
  return {
    tables,
    foreignKeys: FKS,
    capture: { method: 'triggers', captureId: 7, fingerprint: { installed: 'f', expected: 'f' }, uncaptured: [] },
    ddl: DDL,
    reports,
    last: { details: { captureId: 7, reportHashes: reportFingerprints(REPORTS), tableIds: { notes: '1', contacts: '2', transactions: '3', items: '4' } }, ddl: DDL },
    liveGeneration: { runId: 20, dirty: false },
    shadowGeneration: { runId: 19, dirty: false },
    reportTables: [...tables, ...reports].flatMap((t) => [t.name, `__dp_shadow_${t.name}`]).concat('__dp_gen', '__dp_shadow___dp_gen'),
    pending: 3,
    tableIds: { notes: '1', contacts: '2', transactions: '3', items: '4' },
    ...o,
  };
}

function changes(o: Partial<ChangeFacts> = {}): ChangeFacts {
  return {
    log: { keys: new Map([['contacts', keys(['[5]', true], ['[6]', false])]]), ranges: [[1n, 3n]], rows: 3 },
    cascades: { derived: new Map([['transactions', keys(['[50]', true])], ['items', keys(['[50,1]', true], ['[50,2]', true])]]), rows: 3, whole: new Set() },
    journal: new Map(),
    ...o,
  };
}

function facts(s: Partial<SourceFacts> = {}, c: Partial<ChangeFacts> = {}, options: Partial<IncrementalFacts['options']> = {}): IncrementalFacts {
  return {
    sourceSchema: 'crm',
    reportSchema: 'crm_report',
    options: { include: [], paranoid: false, maxChangeShare: 0.2, ...options },
    source: source(s),
    changes: changes(c),
  };
}

function incremental(f: IncrementalFacts): IncrementalRunPlan {
  const plan = planIncremental(f);
  if (plan.kind !== 'incremental') throw new Error(`expected an incremental plan, got a full sync: ${plan.reason}`);
  return plan;
}
const applies = (p: IncrementalRunPlan) => p.steps.filter((s): s is Extract<IncrementalStep, { step: 'apply' }> => s.step === 'apply');

describe('planIncremental: fallback to a full sync', () => {
  const last = source().last!;
  it.each<[string, IncrementalFacts, RegExp]>([
    ['--tables', facts({}, {}, { include: ['contacts'] }), /--tables limits a run/],
    ['a foreign key crossing the exclude list', facts({ tables: TABLES.filter((t) => t.name !== 'contacts'), reports: [] }), /foreign key fk_tx_contact links excluded and mirrored/],
    ['no capture', facts({ capture: { ...source().capture, captureId: null } }), /change capture is not installed/],
    ['no earlier sync', facts({ last: undefined }), /^no earlier sync$/],
    ['a capture reinstalled', facts({ last: { ...last, details: { ...last.details, captureId: 6 } } }), /predates the change capture/],
    ['no generation marker', facts({ liveGeneration: null }), /no generation marker/],
    ['triggers missing', facts({ capture: { ...source().capture, uncaptured: [{ table: 'notes', why: 'trigger(s) missing: del' }] } }), /triggers missing on notes/],
    ['stale triggers', facts({ capture: { ...source().capture, fingerprint: { installed: 'f', expected: 'g' } } }), /no longer fit/],
    ['a report changed', facts({ last: { ...last, details: { ...last.details, reportHashes: { rpt_sales: 'old' } } } }), /report\(s\) rpt_sales, rpt_items changed/],
    ['a table added', facts({ ddl: { ...DDL, extra: 'CREATE TABLE `extra` (id int)' } }), /set of source tables changed/],
    ['a table altered', facts({ ddl: { ...DDL, notes: 'CREATE TABLE `notes` (id bigint)' } }), /definition of notes changed/],
    ['a large backlog', facts({ pending: 20_000 }), /20000 changes pending/],
    ['a live table missing', facts({ reportTables: source().reportTables.filter((t) => t !== 'rpt_items') }), /rpt_items missing from crm_report/],
  ])('%s', (_label, f, reason) => {
    const plan = planIncremental(f);
    expect(plan.kind).toBe('full');
    expect(plan.kind === 'full' && plan.reason).toMatch(reason);
    expect(fallbackReason(f)).toMatch(reason);
    expect(describeIncrementalPlan(plan)).toMatch(/runs as a full sync/);
  });

  it('needs no source facts under --tables, and no changes when it falls back', () => {
    expect(planIncremental({ sourceSchema: 'crm', reportSchema: 'r', options: { include: ['a'], paranoid: false, maxChangeShare: 0.2 } }).kind).toBe('full');
    expect(planIncremental({ ...facts({ last: undefined }), changes: undefined })).toEqual({ kind: 'full', reason: 'no earlier sync' });
    expect(() => planIncremental({ ...facts(), changes: undefined })).toThrow(/without the changes/);
  });
});

describe('planIncremental: the run', () => {
  it('orders the steps, mirrors that reports read first', () => {
    const plan = incremental(facts());
    expect(plan.steps.map((s) => s.step)).toEqual(['prepare-shadow', 'apply', 'apply', 'apply', 'apply', 'refresh-reports', 'publish', 'consume-log']);
    expect(applies(plan).map((s) => s.table)).toEqual(['contacts', 'transactions', 'items', 'notes']);
    expect(plan.steps[0]).toEqual({ step: 'prepare-shadow', prime: false, tables: ['notes', 'contacts', 'transactions', 'items', 'rpt_sales', 'rpt_items'] });
    expect(plan.steps.at(-1)).toEqual({ step: 'consume-log', rows: 3 });
    expect(plan.copiedWhole).toEqual([]);
    expect(incremental(facts({}, {}, { paranoid: true })).steps.map((s) => s.step)).toContain('paranoid-check');
  });

  it('counts log, cascade and journal keys per table', () => {
    const plan = incremental(facts({}, { journal: new Map([['notes', keys(['[9]', false])]]) }));
    const by = new Map(applies(plan).map((s) => [s.table, s]));
    expect(by.get('contacts')).toMatchObject({ logKeys: 2, cascadeKeys: 0, journalKeys: 0, whole: false });
    expect(by.get('items')).toMatchObject({ logKeys: 0, cascadeKeys: 2, whole: false });
    expect(by.get('notes')).toMatchObject({ journalKeys: 1 });
    expect(plan.cascadeRows).toBe(3);
  });

  it('derives the cascades it follows from the acting foreign keys', () => {
    const plan = incremental(facts());
    expect(plan.cascades.map((c) => [c.fk, c.parent, c.child, c.removes, c.rekeys, c.rekeysPrimaryKey])).toEqual([
      ['fk_tx_contact', 'contacts', 'transactions', true, false, false],
      // ON UPDATE CASCADE on a column of the child's primary key: re-keyed children no log names.
      ['fk_item_tx', 'transactions', 'items', true, false, true],
      // SET NULL keeps the child row: it is fetched again, not removed.
      ['fk_note_contact', 'contacts', 'notes', false, false, false],
    ]);
    // A RESTRICT key is not followed, nor one whose child has no primary key (copied whole anyway).
    const plain = incremental(facts({ foreignKeys: [fk('fk_r', 'transactions', 'contacts', { onDelete: 'RESTRICT' })] }));
    expect(plain.cascades).toEqual([]);
    expect(describeIncrementalPlan(plan)).toMatch(/cascade rule: transactions -> items \(fk_item_tx: on delete cascade, on update cascade\)/);
  });

  it('copies whole what a cascade re-keys, and rebuilds the reports that read it', () => {
    const plan = incremental(facts({}, { cascades: { ...changes().cascades, whole: new Set(['transactions']) } }));
    expect(plan.copiedWhole).toEqual([{ table: 'transactions', reason: 'an ON UPDATE cascade re-keys its primary key', fromJournal: false }]);
    expect(applies(plan).find((s) => s.table === 'transactions')?.whole).toBe(true);
    expect(plan.steps.find((s) => s.step === 'refresh-reports')).toEqual({
      step: 'refresh-reports',
      reports: [{ name: 'rpt_sales', whole: true }, { name: 'rpt_items', whole: true }],
    });
    // The next run re-applies it whole to the other copy.
    expect(runKeys(plan, changes()).get('transactions')?.has('*')).toBe(true);
  });

  it('refreshes an incremental report by key when nothing it reads is copied whole', () => {
    const plan = incremental(facts());
    expect(plan.steps.find((s) => s.step === 'refresh-reports')).toEqual({
      step: 'refresh-reports',
      reports: [{ name: 'rpt_sales', whole: false }, { name: 'rpt_items', whole: true }],
    });
  });

  it('copies whole a table without a key, a truncated table, and what an earlier run copied whole', () => {
    const plan = incremental(
      facts(
        { capture: { ...source().capture, uncaptured: [{ table: 'notes', why: 'no primary key' }] }, tableIds: { notes: '1', contacts: '2', transactions: '3', items: '44' } },
        { journal: new Map([['contacts', keys(['*', false])]]) },
      ),
    );
    expect(plan.copiedWhole.map((w) => [w.table, w.fromJournal])).toEqual([['notes', false], ['items', false], ['contacts', true]]);
    expect(plan.copiedWhole[1]!.reason).toMatch(/InnoDB table id changed/);
    const own = runKeys(plan, changes({ journal: new Map([['contacts', keys(['*', false])]]) }));
    // What an earlier run copied whole is not journaled again: the shadow set only catches up.
    expect(own.get('contacts')?.has('*')).toBe(false);
    expect(own.get('items')?.has('*')).toBe(true);
    expect(own.get('transactions')?.has('[50]')).toBe(true);
    expect(describeIncrementalPlan(plan)).toMatch(/items\s+copy whole: .*table id/);
  });

  it('notes when table ids cannot be read', () => {
    expect(incremental(facts({ tableIds: null })).notes).toEqual([expect.stringMatching(/PROCESS privilege/)]);
    expect(incremental(facts({ tableIds: { notes: '1', contacts: '2', transactions: '3' } })).notes).toEqual([expect.stringMatching(/no InnoDB table id for items/)]);
  });

  it.each<[string, Partial<SourceFacts>, string]>([
    ['missing', { shadowGeneration: null }, 'missing'],
    ['dirty', { shadowGeneration: { runId: 19, dirty: true } }, 'dirty'],
    ['ahead', { shadowGeneration: { runId: 21, dirty: false } }, 'ahead of the live set'],
    ['incomplete', { reportTables: source().reportTables.filter((t) => t !== '__dp_shadow_items') }, 'incomplete'],
  ])('copies the shadow set afresh when it is %s', (_label, s, reason) => {
    const plan = incremental(facts(s));
    expect(plan.steps[0]).toMatchObject({ step: 'prepare-shadow', prime: true, reason });
    expect(describeIncrementalPlan(plan)).toMatch(new RegExp(`copy the 6 live tables first \\(${reason}\\)`));
  });

  it('describes the plan by table', () => {
    const text = describeIncrementalPlan(incremental(facts()));
    expect(text).toMatch(/^incremental sync of crm into crm_report: 3 change\(s\) logged, 3 row\(s\) reached by cascades/);
    expect(text).toMatch(/contacts\s+2 logged, 0 cascaded, 0 re-applied keys/);
    expect(text).toMatch(/rpt_sales\s+refresh by key/);
    expect(text).toMatch(/publish: one RENAME swaps 6 table\(s\)/);
    expect(text).not.toMatch(/notes\s+\d/);
  });
});
