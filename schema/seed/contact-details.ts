/** Rows that hang off a contact: addresses and tags. */

import { contactCity, contactCreatedAt } from './attributes.js';
import { formatDateTime, MICROS_PER_DAY, TIMELINE_END } from './format.js';
import type { SeedContext } from './plan.js';
import { saltOf } from './prng.js';
import { childTable, type TableSeed } from './table-seed.js';
import { postalCode } from './text.js';
import type { Field } from './tsv.js';
import { CITIES, STREETS, TAGS } from './words.js';

const S = {
  addressCount: saltOf('addresses.count'),
  address: saltOf('addresses'),
  tagCount: saltOf('contact_tags.count'),
  tags: saltOf('contact_tags'),
};

const OTHER_KINDS = ['shipping', 'home', 'work'] as const;

function addressFanout(ctx: SeedContext) {
  return ctx.fanout('addresses', ctx.counts.contacts, (id) =>
    ctx.stream(S.addressCount, id).weighted([
      [0, 10],
      [1, 40],
      [2, 40],
      [3, 10],
    ]),
  );
}

/**
 * `addresses`: none to three per contact; the first is the primary billing address, in the
 * contact's home city.
 */
export const addresses: TableSeed = childTable(
  'addresses',
  [
    'id',
    'contact_id',
    'kind',
    'line1',
    'line2',
    'city',
    'region',
    'postal_code',
    'country_code',
    'is_primary',
  ],
  addressFanout,
  (ctx, contactId, firstId, count) => {
    const rows: Field[][] = [];
    const home = contactCity(ctx, contactId);
    for (let k = 0; k < count; k++) {
      const id = firstId + k;
      const rng = ctx.stream(S.address, id);
      // The first address is the primary billing one, in the contact's home city.
      const [city, region, country, pattern] = CITIES[k === 0 ? home : rng.int(CITIES.length)] ?? CITIES[0]!;
      rows.push([
        id,
        contactId,
        k === 0 ? 'billing' : rng.pick(OTHER_KINDS),
        `${rng.between(1, 250)} ${rng.pick(STREETS)}`,
        rng.chance(0.2) ? `Apt ${rng.between(1, 40)}${String.fromCharCode(65 + rng.int(6))}` : null,
        city,
        region,
        postalCode(rng, pattern),
        country,
        k === 0,
      ]);
    }
    return rows;
  },
);

function tagFanout(ctx: SeedContext) {
  return ctx.fanout('contact_tags', ctx.counts.contacts, (id) => ctx.stream(S.tagCount, id).int(6));
}

/** Distinct tags per contact: the primary key is (contact_id, tag). */
export const contactTags: TableSeed = childTable(
  'contact_tags',
  ['contact_id', 'tag', 'added_at'],
  tagFanout,
  (ctx, contactId, _firstId, count) => {
    const rng = ctx.stream(S.tags, contactId);
    const order = TAGS.map((_, i) => i);
    const since = contactCreatedAt(ctx, contactId);
    const rows: Field[][] = [];
    for (let k = 0; k < count; k++) {
      // A partial Fisher-Yates shuffle picks `count` distinct tags.
      const j = k + rng.int(order.length - k);
      const chosen = order[j]!;
      order[j] = order[k]!;
      order[k] = chosen;
      const added = Math.min(since + rng.int(400 * MICROS_PER_DAY), TIMELINE_END);
      rows.push([contactId, TAGS[chosen]!, formatDateTime(added)]);
    }
    return rows;
  },
);
