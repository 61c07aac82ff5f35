/**
 * The sales pipeline: fixed stages, opportunities and their stage history. An opportunity's
 * whole path through the stages comes from its own stream, so the opportunity row (current
 * stage, closed_at) and its history rows agree although they load in separate chunks.
 */

import { contactName, contactOrganizationId, organizationName, randomUserId } from './attributes.js';
import {
  formatCents,
  formatDate,
  formatDateTime,
  MICROS_PER_DAY,
  TIMELINE_END,
  TIMELINE_START,
} from './format.js';
import type { SeedContext } from './plan.js';
import { saltOf } from './prng.js';
import { childTable, rootTable, type TableSeed } from './table-seed.js';
import { productName } from './text.js';
import type { Field } from './tsv.js';

const S = {
  count: saltOf('opportunities.count'),
  path: saltOf('opportunities.path'),
  row: saltOf('opportunities'),
  history: saltOf('opportunity_stage_history'),
};

/** id, name, position, probability, is_closed, is_won. */
const STAGES: readonly (readonly [number, string, number, string, boolean, boolean])[] = [
  [1, 'Prospecting', 1, '0.1000', false, false],
  [2, 'Qualification', 2, '0.2000', false, false],
  [3, 'Needs Analysis', 3, '0.4000', false, false],
  [4, 'Proposal', 4, '0.6000', false, false],
  [5, 'Negotiation', 5, '0.8000', false, false],
  [6, 'Closed Won', 6, '1.0000', true, true],
  [7, 'Closed Lost', 7, '0.0000', true, false],
];
const NEGOTIATION = 5;
const WON = 6;
const LOST = 7;

/** `pipeline_stages`: the seven fixed stages, Prospecting to Closed Won and Closed Lost. */
export const pipelineStages: TableSeed = rootTable(
  'pipeline_stages',
  ['id', 'name', 'position', 'probability', 'is_closed', 'is_won'],
  () => STAGES.length,
  (_ctx, id) => [...(STAGES[id - 1] ?? STAGES[0]!)],
);

interface StageChange {
  from: number | null;
  to: number;
  at: number;
}

interface OpportunityPath {
  owner: number | null;
  created: number;
  changes: StageChange[];
}

/** Walks an opportunity through the stages: advance, lose, win, or stay open. */
function opportunityPath(ctx: SeedContext, opportunityId: number): OpportunityPath {
  const rng = ctx.stream(S.path, opportunityId);
  const owner = rng.chance(0.9) ? randomUserId(ctx, rng) : null;
  const created =
    TIMELINE_START + Math.floor(rng.next() * (TIMELINE_END - TIMELINE_START - 200 * MICROS_PER_DAY));
  const changes: StageChange[] = [{ from: null, to: 1, at: created }];
  let stage = 1;
  let at = created;
  while (stage !== WON && stage !== LOST) {
    const r = rng.next();
    let next: number;
    if (stage === NEGOTIATION) next = r < 0.6 ? WON : r < 0.85 ? LOST : 0;
    else next = r < 0.68 ? stage + 1 : r < 0.78 ? LOST : 0;
    if (next === 0) break;
    at += rng.between(1, 30) * MICROS_PER_DAY + rng.int(MICROS_PER_DAY);
    changes.push({ from: stage, to: next, at });
    stage = next;
  }
  return { owner, created, changes };
}

function opportunityFanout(ctx: SeedContext) {
  return ctx.fanout('opportunities', ctx.counts.contacts, (id) =>
    ctx.stream(S.count, id).weighted([
      [0, 50],
      [1, 40],
      [2, 10],
    ]),
  );
}

/**
 * `opportunities`: none, one or two per contact; the current stage and `closed_at` are where the
 * opportunity's path ends.
 */
export const opportunities: TableSeed = childTable(
  'opportunities',
  [
    'id',
    'contact_id',
    'organization_id',
    'owner_user_id',
    'stage_id',
    'name',
    'amount',
    'expected_close_date',
    'closed_at',
    'created_at',
  ],
  opportunityFanout,
  (ctx, contactId, firstId, count) => {
    const org = contactOrganizationId(ctx, contactId);
    const buyer = org === null ? contactName(ctx, contactId).join(' ') : organizationName(ctx, org);
    const rows: Field[][] = [];
    for (let k = 0; k < count; k++) {
      const id = firstId + k;
      const rng = ctx.stream(S.row, id);
      const path = opportunityPath(ctx, id);
      const last = path.changes[path.changes.length - 1]!;
      const closed = last.to === WON || last.to === LOST;
      rows.push([
        id,
        contactId,
        org,
        path.owner,
        last.to,
        `${buyer} – ${productName(rng)}`,
        formatCents(rng.between(500, 250_000) * 100),
        formatDate(path.created + rng.between(30, 180) * MICROS_PER_DAY),
        closed ? formatDateTime(last.at) : null,
        formatDateTime(path.created),
      ]);
    }
    return rows;
  },
);

function historyFanout(ctx: SeedContext) {
  const parents = opportunityFanout(ctx).total;
  return ctx.fanout('opportunity_stage_history', parents, (id) => opportunityPath(ctx, id).changes.length);
}

/**
 * `opportunity_stage_history`: one row per step of each opportunity's path, the first from no stage
 * (NULL) to Prospecting.
 */
export const opportunityStageHistory: TableSeed = childTable(
  'opportunity_stage_history',
  ['id', 'opportunity_id', 'from_stage_id', 'to_stage_id', 'changed_by_user_id', 'changed_at'],
  historyFanout,
  (ctx, opportunityId, firstId) => {
    const path = opportunityPath(ctx, opportunityId);
    const rng = ctx.stream(S.history, opportunityId);
    return path.changes.map((change, k) => [
      firstId + k,
      opportunityId,
      change.from,
      change.to,
      rng.chance(0.85) ? path.owner : rng.chance(0.5) ? randomUserId(ctx, rng) : null,
      formatDateTime(change.at),
    ]);
  },
);
