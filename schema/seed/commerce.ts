/**
 * The catalog and purchase history. A transaction's lines come from the transaction's own
 * stream, so `transactions.total_amount` equals the sum of its `transaction_items.line_total`
 * even though the two tables are generated in separate chunks.
 */

import {
  contactCity,
  contactCreatedAt,
  contactOrganizationId,
  contactStage,
  timeAfter,
} from './attributes.js';
import { formatCents, formatDateTime, MICROS_PER_DAY, TIMELINE_START } from './format.js';
import type { SeedContext } from './plan.js';
import { saltOf } from './prng.js';
import { childTable, rootTable, type TableSeed } from './table-seed.js';
import { productName } from './text.js';
import type { Field } from './tsv.js';
import { CATEGORIES, CITIES, SENTENCES } from './words.js';

const S = {
  item: saltOf('catalog_items'),
  price: saltOf('catalog_items.unit_price'),
  txCount: saltOf('transactions.count'),
  tx: saltOf('transactions'),
  lines: saltOf('transaction_items'),
};

/** List price of a catalog item in cents: mostly tens to hundreds, a few thousands. */
export function catalogPriceCents(ctx: SeedContext, itemId: number): number {
  return Math.round(Math.exp(6.5 + ctx.stream(S.price, itemId).next() * 6));
}

/**
 * `catalog_items`: the products and services on sale, at the list prices of `catalogPriceCents`.
 */
export const catalogItems: TableSeed = rootTable(
  'catalog_items',
  ['id', 'sku', 'name', 'category', 'unit_price', 'is_active', 'description', 'created_at'],
  (ctx) => ctx.counts.catalogItems,
  (ctx, id) => {
    const rng = ctx.stream(S.item, id);
    const description = rng.chance(0.9)
      ? `${rng.pick(SENTENCES).replace(/\{\w+\}/g, 'it')} Ships in ${rng.between(1, 10)} days.`
      : null;
    return [
      id,
      `SKU-${String(id).padStart(6, '0')}`,
      productName(rng),
      rng.pick(CATEGORIES),
      formatCents(catalogPriceCents(ctx, id)),
      rng.chance(0.92),
      description,
      formatDateTime(TIMELINE_START - rng.int(365 * MICROS_PER_DAY)),
    ];
  },
);

/** Purchases per contact depend on the lifecycle stage: customers buy, leads rarely do. */
function transactionCount(ctx: SeedContext, contactId: number): number {
  const rng = ctx.stream(S.txCount, contactId);
  switch (contactStage(ctx, contactId)) {
    case 'lead':
      return rng.int(2);
    case 'prospect':
      return rng.int(3);
    case 'customer':
      return rng.between(6, 14);
    case 'churned':
      return rng.between(2, 10);
  }
}

/**
 * The transactions of each contact, by lifecycle stage; the line items take its total as their
 * number of parents.
 */
export function transactionFanout(ctx: SeedContext) {
  return ctx.fanout('transactions', ctx.counts.contacts, (id) => transactionCount(ctx, id));
}

interface Line {
  catalogItemId: number;
  quantity: number;
  unitPriceCents: number;
}

/** The lines of one transaction; the first draw is the line count (see `lineFanout`). */
function transactionLines(ctx: SeedContext, transactionId: number): Line[] {
  const rng = ctx.stream(S.lines, transactionId);
  const count = 1 + rng.int(5);
  const lines: Line[] = [];
  for (let k = 0; k < count; k++) {
    const catalogItemId = 1 + rng.int(ctx.counts.catalogItems);
    const list = catalogPriceCents(ctx, catalogItemId);
    lines.push({
      catalogItemId,
      quantity: rng.chance(0.7) ? 1 : rng.between(2, 10),
      unitPriceCents: rng.chance(0.1) ? Math.round(list * 0.9) : list,
    });
  }
  return lines;
}

function lineFanout(ctx: SeedContext) {
  const parents = transactionFanout(ctx).total;
  return ctx.fanout('transaction_items', parents, (id) => 1 + ctx.stream(S.lines, id).int(5));
}

/**
 * `transactions`: a contact's purchases, in the currency of the contact's home city; `total_amount`
 * is the sum of the transaction's lines.
 */
export const transactions: TableSeed = childTable(
  'transactions',
  ['id', 'contact_id', 'organization_id', 'status', 'currency', 'total_amount', 'occurred_at'],
  transactionFanout,
  (ctx, contactId, firstId, count) => {
    const org = contactOrganizationId(ctx, contactId);
    const currency = CITIES[contactCity(ctx, contactId)]?.[4] ?? 'USD';
    const since = contactCreatedAt(ctx, contactId);
    const rows: Field[][] = [];
    for (let k = 0; k < count; k++) {
      const id = firstId + k;
      const rng = ctx.stream(S.tx, id);
      let total = 0;
      for (const line of transactionLines(ctx, id)) total += line.quantity * line.unitPriceCents;
      const status = rng.weighted([
        ['paid', 80],
        ['pending', 8],
        ['refunded', 6],
        ['cancelled', 6],
      ]);
      rows.push([
        id,
        contactId,
        org,
        status,
        currency,
        formatCents(total),
        formatDateTime(timeAfter(since, rng)),
      ]);
    }
    return rows;
  },
);

/** `transaction_items`: one to five lines per transaction, one in ten at 10% off the list price. */
export const transactionItems: TableSeed = childTable(
  'transaction_items',
  ['id', 'transaction_id', 'catalog_item_id', 'quantity', 'unit_price'],
  lineFanout,
  (ctx, transactionId, firstId) =>
    transactionLines(ctx, transactionId).map((line, k) => [
      firstId + k,
      transactionId,
      line.catalogItemId,
      line.quantity,
      formatCents(line.unitPriceCents),
    ]),
);
