/**
 * The archive planner and the subject walk, without a server: tables live in memory, and the walk
 * reads them through the same `RowSource` the executor backs with `SELECT … FOR UPDATE`.
 */
import { describe, expect, it } from 'vitest';
import { planArchive } from '../../../ops/archive/plan-archive.js';
import { type RowSource, walkSubjects } from '../../../ops/archive/walk-subjects.js';
import type { ForeignKey, FkRule } from '../../../src/catalog/foreign-keys.js';
import type { Row } from '../../../src/db/connection.js';

const fk = (child: string, column: string, parent: string, onDelete: FkRule): ForeignKey => ({
  name: `fk_${child}_${column}`,
  child,
  columns: [column],
  parent,
  referenced: ['id'],
  onDelete,
  onUpdate: 'RESTRICT',
});

/** Tables in memory: each row has `id` plus its reference columns. */
function memory(data: Record<string, Row[]>): RowSource & { reads: number } {
  const src = {
    reads: 0,
    referrers(k: ForeignKey, parents: readonly Row[]) {
      src.reads++;
      const wanted = new Set(parents.map((p) => String(p[k.referenced[0]!] as number)));
      return Promise.resolve((data[k.child] ?? []).filter((r) => r[k.columns[0]!] !== null && wanted.has(String(r[k.columns[0]!] as number))));
    },
  };
  return src;
}

const pks = (tables: string[]) => new Map(tables.map((t) => [t, ['id']]));
const ids = (m: Map<string, unknown> | undefined) => [...(m?.keys() ?? [])].sort();

describe('planArchive', () => {
  const fks = [
    fk('orders', 'contact_id', 'contacts', 'CASCADE'),
    fk('items', 'order_id', 'orders', 'CASCADE'),
    fk('notes', 'item_id', 'items', 'CASCADE'),
    fk('contacts', 'org_id', 'orgs', 'CASCADE'),
    fk('items', 'product_id', 'products', 'RESTRICT'),
    fk('reviews', 'item_id', 'items', 'SET NULL'),
  ];
  it('closes over cascade keys at any depth, parents first, and lists the blockers into the closure', () => {
    const plan = planArchive('contacts', fks, pks(['contacts', 'orders', 'items', 'notes', 'orgs', 'products', 'reviews']));
    expect(plan.tables).toEqual(['contacts', 'orders', 'items', 'notes']);
    expect(plan.deleteOrder).toEqual(['notes', 'items', 'orders', 'contacts']);
    expect(plan.edges.map((e) => e.name).sort()).toEqual(['fk_items_order_id', 'fk_notes_item_id', 'fk_orders_contact_id']);
    // items → products points out of the closure (a parent, not a referrer): no blocker.
    expect(plan.blockers.map((e) => e.name)).toEqual(['fk_reviews_item_id']);
    expect(plan.columns.get('items')).toEqual(['id', 'order_id']);
  });

  it('terminates on cycles and self-references', () => {
    const plan = planArchive('a', [fk('b', 'a_id', 'a', 'CASCADE'), fk('a', 'b_id', 'b', 'CASCADE'), fk('a', 'parent_id', 'a', 'CASCADE')], pks(['a', 'b']));
    expect(plan.tables).toEqual(['a', 'b']);
  });

  it('refuses a table without a primary key', () => {
    expect(() => planArchive('a', [fk('b', 'a_id', 'a', 'CASCADE')], new Map([['a', ['id']]]))).toThrow(/b has no primary key/);
  });
});

describe('walkSubjects', () => {
  it('collects three levels of dependents per root', async () => {
    const fks = [fk('orders', 'contact_id', 'contacts', 'CASCADE'), fk('items', 'order_id', 'orders', 'CASCADE'), fk('notes', 'item_id', 'items', 'CASCADE')];
    const plan = planArchive('contacts', fks, pks(['contacts', 'orders', 'items', 'notes']));
    const src = memory({
      orders: [{ id: 10, contact_id: 1 }, { id: 11, contact_id: 2 }, { id: 12, contact_id: 3 }],
      items: [{ id: 100, order_id: 10 }, { id: 101, order_id: 11 }, { id: 102, order_id: 12 }],
      notes: [{ id: 1000, item_id: 100 }, { id: 1001, item_id: 100 }, { id: 1002, item_id: 102 }],
    });
    const s = await walkSubjects(plan, pks(plan.tables), [{ id: 1 }, { id: 2 }], src);
    expect(ids(s.rows.get('orders'))).toEqual(['10', '11']);
    expect(ids(s.rows.get('items'))).toEqual(['100', '101']);
    expect(ids(s.rows.get('notes'))).toEqual(['1000', '1001']);
    expect([...s.rows.get('notes')!.get('1001')!.roots]).toEqual(['1']);
    expect(s.kept.size).toBe(0);
  });

  it.each(['SET NULL', 'RESTRICT', 'NO ACTION'] as const)('a live row referencing a subject row through %s keeps that subject (and only it)', async (rule) => {
    const fks = [fk('orders', 'contact_id', 'contacts', 'CASCADE'), fk('invoices', 'order_id', 'orders', rule)];
    const plan = planArchive('contacts', fks, pks(['contacts', 'orders', 'invoices']));
    const src = memory({ orders: [{ id: 10, contact_id: 1 }, { id: 11, contact_id: 2 }], invoices: [{ id: 5, order_id: 11 }] });
    const s = await walkSubjects(plan, pks(['contacts', 'orders', 'invoices']), [{ id: 1 }, { id: 2 }], src);
    expect([...s.kept]).toEqual([['2', 'fk_invoices_order_id']]);
  });

  it('a referrer inside another archived subject does not keep; inside a kept one it does', async () => {
    // contacts.referrer_id → contacts SET NULL: 2 refers to 1. Archiving both is fine; 3 refers to 2 and is not selected.
    const fks = [fk('contacts', 'referrer_id', 'contacts', 'SET NULL')];
    const plan = planArchive('contacts', fks, pks(['contacts']));
    const data = { contacts: [{ id: 1, referrer_id: null }, { id: 2, referrer_id: 1 }, { id: 3, referrer_id: 2 }] };
    const s = await walkSubjects(plan, pks(['contacts']), [{ id: 1 }, { id: 2 }], memory(data));
    // 3 is live and refers to 2: 2 is kept; then 2 (kept, live) refers to 1: 1 is kept too.
    expect([...s.kept.keys()].sort()).toEqual(['1', '2']);
    const s2 = await walkSubjects(plan, pks(['contacts']), [{ id: 1 }, { id: 2 }, { id: 3 }], memory(data));
    expect(s2.kept.size).toBe(0);
  });

  it('follows a self-referencing cascade key and ends on a cycle', async () => {
    const fks = [fk('nodes', 'parent_id', 'nodes', 'CASCADE')];
    const plan = planArchive('nodes', fks, pks(['nodes']));
    // 1 → 2 → 3 → 1 is a cycle (possible with deferred data); 4 hangs off 3.
    const src = memory({ nodes: [{ id: 1, parent_id: 3 }, { id: 2, parent_id: 1 }, { id: 3, parent_id: 2 }, { id: 4, parent_id: 3 }, { id: 5, parent_id: null }] });
    const s = await walkSubjects(plan, pks(['nodes']), [{ id: 1, parent_id: 3 }], src);
    expect(ids(s.rows.get('nodes'))).toEqual(['1', '2', '3', '4']);
    expect(src.reads).toBeLessThan(10);
  });

  it('a row shared by two subjects is kept when either is', async () => {
    const fks = [fk('links', 'a_id', 'contacts', 'CASCADE'), fk('links', 'b_id', 'contacts', 'CASCADE'), fk('audits', 'contact_id', 'contacts', 'RESTRICT')];
    const plan = planArchive('contacts', fks, pks(['contacts', 'links', 'audits']));
    const src = memory({ links: [{ id: 7, a_id: 1, b_id: 2 }], audits: [{ id: 9, contact_id: 2 }] });
    const s = await walkSubjects(plan, pks(['contacts', 'links', 'audits']), [{ id: 1 }, { id: 2 }, { id: 3 }], src);
    expect([...s.rows.get('links')!.get('7')!.roots].sort()).toEqual(['1', '2']);
    expect([...s.kept.keys()].sort()).toEqual(['1', '2']);
  });
});
