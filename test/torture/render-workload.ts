/** Renders workload operations to SQL statements (run in order on one session; errors are ignored). */
import type { Op, RowValues, SchemaSpec, Selector, TableSpec } from './model.js';
import { qi } from './render-ddl.js';

/** Columns a selector hashes: the key, or a few plain columns of a keyless table. */
function selectorCols(t: TableSpec): string[] {
  if (t.pk.length > 0) return t.pk;
  return t.columns.filter((c) => !c.generated && !['point', 'geometry'].includes(c.kind)).slice(0, 3).map((c) => c.name);
}

export function where(t: TableSpec, sel: Selector, alias?: string): string {
  const cols = selectorCols(t);
  if (sel.m <= 1 || cols.length === 0) return '1=1';
  const ref = (c: string) => (alias ? `${alias}.${qi(c)}` : qi(c));
  return `MOD(CRC32(CONCAT_WS('|', ${cols.map((c) => `HEX(${ref(c)})`).join(', ')})), ${sel.m}) = ${sel.r}`;
}

const values = (r: RowValues) => `(${r.vals.join(', ')})`;
const assignments = (r: RowValues, alias?: string) => r.cols.map((c, i) => `${alias ? `${alias}.` : ''}${qi(c)} = ${r.vals[i]}`).join(', ');

function insertSql(verb: string, t: TableSpec, rows: RowValues[]): string[] {
  // Rows leaving out different columns cannot share one VALUES list.
  const groups = new Map<string, RowValues[]>();
  for (const r of rows) groups.set(r.cols.join('\u0001'), [...(groups.get(r.cols.join('\u0001')) ?? []), r]);
  return [...groups.values()].map((g) => `${verb} INTO ${qi(t.name)} (${g[0]!.cols.map(qi).join(', ')}) VALUES ${g.map(values).join(', ')}`);
}

export function renderOp(s: SchemaSpec, op: Op): string[] {
  switch (op.k) {
    case 'tz': return [`SET time_zone = '${op.zone}'`];
    case 'laxMode': return [op.on ? "SET sql_mode = ''" : 'SET sql_mode = DEFAULT'];
    case 'tx': return ['START TRANSACTION', ...op.ops.flatMap((o) => renderOp(s, o)), op.commit ? 'COMMIT' : 'ROLLBACK'];
    case 'unchecked': return ['SET check_constraint_checks = 0', ...renderOp(s, op.op), 'SET check_constraint_checks = 1'];
    default: break;
  }
  const t = s.tables[op.t]!;
  const T = qi(t.name);
  switch (op.k) {
    case 'insert': return insertSql(op.verb, t, op.rows);
    case 'upsert': return insertSql('INSERT', t, [op.row]).map((sql) => `${sql} ON DUPLICATE KEY UPDATE ${assignments(op.set)}`);
    case 'update': return [`UPDATE ${T} SET ${assignments(op.set)} WHERE ${where(t, op.sel)}`];
    case 'delete': return [`DELETE FROM ${T} WHERE ${where(t, op.sel)}`];
    case 'truncate': return [`TRUNCATE TABLE ${T}`];
    case 'dup': {
      const cols = t.columns.filter((c) => !c.generated).map((c) => qi(c.name)).join(', ');
      return [`INSERT INTO ${T} (${cols}) SELECT ${cols} FROM ${T} WHERE ${where(t, op.sel)} LIMIT 3`];
    }
    case 'big': {
      const i = op.row.cols.indexOf(op.col);
      const big = `REPEAT(_utf8mb4'ab', ${op.bytes / 2})`;
      const row = i >= 0 ? { cols: op.row.cols, vals: op.row.vals.map((v, j) => (j === i ? big : v)) } : { cols: [...op.row.cols, op.col], vals: [...op.row.vals, big] };
      const col = t.columns.find((c) => c.name === op.col);
      if (col?.kind === 'json') row.vals = row.vals.map((v) => (v === big ? `CONCAT('"', ${big}, '"')` : v));
      return insertSql('INSERT', t, [row]);
    }
    case 'updateKey': {
      const k = qi(t.pk[0]!);
      const w = where(t, op.sel);
      switch (op.how) {
        case 'value': return [`UPDATE ${T} SET ${k} = ${op.val} WHERE ${w} LIMIT 1`];
        case 'upper': return [`UPDATE ${T} SET ${k} = UPPER(${k}) WHERE ${w}`];
        case 'lower': return [`UPDATE ${T} SET ${k} = LOWER(${k}) WHERE ${w}`];
        case 'shift': return [`UPDATE ${T} SET ${k} = ${k} + 1000 WHERE ${w} ORDER BY ${k} DESC`];
        case 'swap':
          // Two keys trade places through a third value, in one transaction.
          return [
            'START TRANSACTION',
            'SET @__tt_a = NULL, @__tt_b = NULL',
            `SELECT ${k} INTO @__tt_a FROM ${T} ORDER BY ${k} LIMIT 1`,
            `SELECT ${k} INTO @__tt_b FROM ${T} ORDER BY ${k} DESC LIMIT 1`,
            `UPDATE ${T} SET ${k} = ${op.val} WHERE ${k} = @__tt_a`,
            `UPDATE ${T} SET ${k} = @__tt_a WHERE ${k} = @__tt_b`,
            `UPDATE ${T} SET ${k} = @__tt_b WHERE ${k} = ${op.val}`,
            'COMMIT',
          ];
      }
      break;
    }
    case 'reparent': {
      const fk = t.fks[op.fk]!;
      const p = qi(fk.refTable);
      const vars = fk.refCols.map((_, i) => `@__tt_p${i}`);
      const match = fk.refCols.map((c, i) => `${qi(c)} = ${vars[i]}`).join(' AND ');
      return [
        `SET ${vars.map((v) => `${v} = NULL`).join(', ')}`,
        `SELECT ${fk.refCols.map(qi).join(', ')} INTO ${vars.join(', ')} FROM ${p} ORDER BY ${fk.refCols.map(qi).join(', ')} LIMIT 1 OFFSET ${op.pick}`,
        `UPDATE ${T} SET ${fk.cols.map((c, i) => `${qi(c)} = ${vars[i]}`).join(', ')} WHERE ${where(t, op.sel)}`,
        ...(op.deleteParent ? [`DELETE FROM ${p} WHERE ${match}`] : []),
      ];
    }
    case 'multiUpdate': case 'multiDelete': {
      const fk = t.fks[op.fk]!;
      const on = fk.cols.map((c, i) => `__tt_c.${qi(c)} = __tt_p.${qi(fk.refCols[i]!)}`).join(' AND ');
      const from = `${T} AS __tt_c JOIN ${qi(fk.refTable)} AS __tt_p ON ${on}`;
      if (op.k === 'multiDelete') return [`DELETE __tt_c, __tt_p FROM ${from} WHERE ${where(t, op.sel, '__tt_c')}`];
      return [`UPDATE ${from} SET ${assignments(op.set, '__tt_c')}, ${assignments(op.parentSet, '__tt_p')} WHERE ${where(t, op.sel, '__tt_c')}`];
    }
  }
  return [];
}
