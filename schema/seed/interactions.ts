/** Emails, calls, meetings and chats with contacts. */

import {
  contactCity,
  contactCreatedAt,
  contactName,
  contactOwnerId,
  randomUserId,
  timeAfter,
  userName,
} from './attributes.js';
import { formatDateTime } from './format.js';
import type { SeedContext } from './plan.js';
import { saltOf } from './prng.js';
import { childTable, type TableSeed } from './table-seed.js';
import { messageBody, subject } from './text.js';
import type { Field } from './tsv.js';
import { CITIES } from './words.js';

const S = {
  count: saltOf('interactions.count'),
  row: saltOf('interactions'),
};

type Channel = 'email' | 'phone' | 'social' | 'meeting' | 'chat';

function interactionFanout(ctx: SeedContext) {
  return ctx.fanout('interactions', ctx.counts.contacts, (id) => ctx.stream(S.count, id).int(13));
}

/**
 * `interactions`: up to twelve per contact by email, phone, meeting, chat or social, mostly with
 * the contact's owner; bodies hold newlines, tabs and emoji, so every copy meets every escape.
 */
export const interactions: TableSeed = childTable(
  'interactions',
  [
    'id',
    'contact_id',
    'user_id',
    'channel',
    'direction',
    'subject',
    'body',
    'occurred_at',
    'duration_seconds',
  ],
  interactionFanout,
  (ctx, contactId, firstId, count) => {
    const owner = contactOwnerId(ctx, contactId);
    const since = contactCreatedAt(ctx, contactId);
    const city = CITIES[contactCity(ctx, contactId)]?.[0] ?? 'Berlin';
    const [greet] = contactName(ctx, contactId);
    const rows: Field[][] = [];
    for (let k = 0; k < count; k++) {
      const id = firstId + k;
      const rng = ctx.stream(S.row, id);
      const channel = rng.weighted<Channel>([
        ['email', 50],
        ['phone', 20],
        ['meeting', 10],
        ['chat', 12],
        ['social', 8],
      ]);
      const user = rng.chance(0.1)
        ? null
        : rng.chance(0.75) && owner !== null
          ? owner
          : randomUserId(ctx, rng);
      const sender = user === null ? 'The Customer Team' : userName(ctx, user).join(' ');
      const vars = { name: greet, city, order: 10_000 + rng.int(900_000) };
      const duration =
        channel === 'phone' ? rng.between(30, 3600) : channel === 'meeting' ? 900 * rng.between(1, 8) : null;
      rows.push([
        id,
        contactId,
        user,
        channel,
        rng.chance(0.45) ? 'inbound' : 'outbound',
        subject(rng, vars),
        rng.chance(0.97) ? messageBody(rng, channel, greet, sender, vars) : null,
        formatDateTime(timeAfter(since, rng)),
        duration,
      ]);
    }
    return rows;
  },
);
