/**
 * Workloads for a generated schema: inserts with random and extreme values, REPLACE, upserts,
 * updates (key updates and swaps included), re-parenting then deleting the parent, cascading and
 * multi-table deletes, TRUNCATE, rolled-back transactions, other time zones, non-strict sessions,
 * CHECK-violating rows and big rows. Statements that fail are part of the workload.
 */
import fc from 'fast-check';
import type { ColumnSpec, Op, RowValues, SchemaSpec, Selector, TableSpec } from './model.js';
import { valueArb } from './value-arb.js';

const writable = (t: TableSpec) => t.columns.filter((c) => !c.generated);

const selectorArb: fc.Arbitrary<Selector> = fc
  .oneof({ weight: 1, arbitrary: fc.constant(1) }, { weight: 4, arbitrary: fc.integer({ min: 2, max: 6 }) })
  .chain((m) => fc.integer({ min: 0, max: m - 1 }).map((r) => ({ m, r })));

const qi = (n: string) => '`' + n.replaceAll('`', '``') + '`';

/**
 * A value for a column; a foreign-key column mostly takes an existing parent's key (picked by
 * position, through a derived table so that a self-reference is allowed too).
 */
function colValueArb(s: SchemaSpec, t: TableSpec, c: ColumnSpec): fc.Arbitrary<string> {
  const fk = t.fks.find((f) => f.cols.includes(c.name));
  if (!fk) return valueArb(c);
  const ref = fk.refCols[fk.cols.indexOf(c.name)]!;
  const parent = s.tables.find((p) => p.name === fk.refTable);
  const order = (parent?.pk ?? [ref]).map(qi).join(', ');
  const pick = fc.integer({ min: 0, max: 6 }).map((k) => `(SELECT __tt_x FROM (SELECT ${qi(ref)} AS __tt_x FROM ${qi(fk.refTable)} ORDER BY ${order} LIMIT 1 OFFSET ${k}) AS __tt_d)`);
  return fc.oneof({ weight: 5, arbitrary: pick }, { weight: 1, arbitrary: valueArb(c) });
}

/** A full row (sometimes leaving out nullable/defaulted columns, or the auto-increment key). */
function rowArb(s: SchemaSpec, t: TableSpec): fc.Arbitrary<RowValues> {
  const cols = writable(t);
  return fc.tuple(...cols.map((c) => fc.tuple(colValueArb(s, t, c), fc.integer({ min: 0, max: 7 })))).map((pairs) => {
    const out: RowValues = { cols: [], vals: [] };
    pairs.forEach(([v, omit], i) => {
      const c = cols[i]!;
      const optional = c.autoIncrement || c.nullable || c.defaultSql !== undefined;
      if (optional && omit === 0) return;
      if (c.autoIncrement && omit < 5) return;
      out.cols.push(c.name);
      out.vals.push(v);
    });
    return out;
  });
}

/** New values for 1–2 non-key columns (or any column when the table has no other). */
function setArb(s: SchemaSpec, t: TableSpec, keys = false): fc.Arbitrary<RowValues> {
  const cols = writable(t).filter((c) => keys || !t.pk.includes(c.name));
  const pool = cols.length > 0 ? cols : writable(t);
  return fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: Math.min(2, pool.length), selector: (c) => c.name }).chain((cs) =>
    fc.tuple(...cs.map((c: ColumnSpec) => colValueArb(s, t, c))).map((vals) => ({ cols: cs.map((c) => c.name), vals })),
  );
}

const ZONES = ['+00:00', '+05:00', '-08:00', '+13:45', '-03:30', '+01:00', 'SYSTEM'];

function tableOpArb(s: SchemaSpec, ti: number): fc.Arbitrary<Op> {
  const t = s.tables[ti]!;
  const ops: { weight: number; arbitrary: fc.Arbitrary<Op> }[] = [
    { weight: 8, arbitrary: fc.record({ k: fc.constant('insert' as const), t: fc.constant(ti), rows: fc.array(rowArb(s, t), { minLength: 1, maxLength: 4 }), verb: fc.constantFrom('INSERT' as const, 'INSERT' as const, 'REPLACE' as const, 'INSERT IGNORE' as const) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('upsert' as const), t: fc.constant(ti), row: rowArb(s, t), set: setArb(s, t) }) },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('update' as const), t: fc.constant(ti), sel: selectorArb, set: setArb(s, t) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('delete' as const), t: fc.constant(ti), sel: selectorArb }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('dup' as const), t: fc.constant(ti), sel: selectorArb }) },
    { weight: 1, arbitrary: fc.constant<Op>({ k: 'truncate', t: ti }) },
  ];
  if (t.pk.length > 0) {
    const key = t.columns.find((c) => c.name === t.pk[0])!;
    ops.push({ weight: 3, arbitrary: fc.record({ k: fc.constant('updateKey' as const), t: fc.constant(ti), sel: selectorArb, how: fc.constantFrom('value' as const, 'upper' as const, 'lower' as const, 'shift' as const, 'swap' as const), val: valueArb({ ...key, nullable: false }) }) });
  }
  t.fks.forEach((fk, fi) => {
    const parent = s.tables.find((p) => p.name === fk.refTable);
    if (!parent) return;
    ops.push({ weight: 3, arbitrary: fc.record({ k: fc.constant('reparent' as const), t: fc.constant(ti), fk: fc.constant(fi), sel: selectorArb, pick: fc.integer({ min: 0, max: 5 }), deleteParent: fc.boolean() }) });
    ops.push({ weight: 1, arbitrary: fc.record({ k: fc.constant('multiUpdate' as const), t: fc.constant(ti), fk: fc.constant(fi), sel: selectorArb, set: setArb(s, t), parentSet: setArb(s, parent) }) });
    ops.push({ weight: 1, arbitrary: fc.record({ k: fc.constant('multiDelete' as const), t: fc.constant(ti), fk: fc.constant(fi), sel: selectorArb }) });
  });
  if (t.columns.some((c) => c.check)) {
    ops.push({ weight: 1, arbitrary: rowArb(s, t).map((row): Op => ({ k: 'unchecked', op: { k: 'insert', t: ti, rows: [{ cols: row.cols, vals: row.vals.map((v, i) => (t.columns.find((c) => c.name === row.cols[i])?.check ? '13' : v)) }], verb: 'INSERT' } })) });
  }
  const big = t.columns.filter((c) => !c.generated && (c.maxBytes ?? 0) >= 1 << 20);
  if (big.length > 0) {
    ops.push({ weight: 1, arbitrary: fc.record({ k: fc.constant('big' as const), t: fc.constant(ti), col: fc.constantFrom(...big.map((c) => c.name)), bytes: fc.constantFrom(70_000, 300_000, 2_000_000), row: rowArb(s, t) }) });
  }
  return fc.oneof(...ops);
}

/** One operation on any table of the schema, or a session change. */
export function opArb(s: SchemaSpec): fc.Arbitrary<Op> {
  const tableOps = s.tables.map((_, i) => ({ weight: 10, arbitrary: tableOpArb(s, i) }));
  return fc.oneof(
    ...tableOps,
    { weight: 1, arbitrary: fc.constantFrom(...ZONES).map((zone): Op => ({ k: 'tz', zone })) },
    { weight: 1, arbitrary: fc.boolean().map((on): Op => ({ k: 'laxMode', on })) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('tx' as const), ops: fc.array(fc.oneof(...tableOps), { minLength: 1, maxLength: 4 }), commit: fc.boolean() }) },
  );
}

/** The first load: mostly inserts, enough rows to fill a few chunks. */
export function loadArb(s: SchemaSpec): fc.Arbitrary<Op[]> {
  // Parents before children (tables only reference earlier ones), twice, so children find parents.
  const inserts = s.tables.map((t, ti) => fc.array(rowArb(s, t), { minLength: 1, maxLength: 8 }).map((rows): Op => ({ k: 'insert', t: ti, rows, verb: 'INSERT IGNORE' })));
  return fc.tuple(fc.tuple(...inserts), fc.tuple(...inserts), fc.array(opArb(s), { maxLength: 4 })).map(([a, b, c]) => [...a, ...b, ...c]);
}

export function stepsArb(s: SchemaSpec): fc.Arbitrary<Op[][]> {
  return fc.array(fc.array(opArb(s), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 });
}
