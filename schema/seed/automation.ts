/** Automation triggers and their runs against contacts. */

import { contactCreatedAt, randomUserId, timeAfter } from './attributes.js';
import { formatDateTime, MICROS_PER_DAY, TIMELINE_START } from './format.js';
import type { SeedContext } from './plan.js';
import { saltOf } from './prng.js';
import { childTable, rootTable, type TableSeed } from './table-seed.js';
import type { Field } from './tsv.js';
import { ERROR_MESSAGES, TAGS } from './words.js';

const S = {
  trigger: saltOf('automation_triggers'),
  runCount: saltOf('automation_runs.count'),
  run: saltOf('automation_runs'),
};

const EVENTS = ['signup', 'purchase', 'inactivity', 'birthday', 'stage_change'] as const;
const ACTIONS = ['send_email', 'assign_owner', 'create_task', 'add_tag', 'webhook'] as const;
const LABELS: Record<(typeof EVENTS)[number], string> = {
  signup: 'Welcome series',
  purchase: 'Post-purchase follow-up',
  inactivity: 'Win-back',
  birthday: 'Birthday greeting',
  stage_change: 'Pipeline alert',
};

/**
 * `automation_triggers`: rules that run an action on an event; 90% carry JSON conditions, the rest
 * NULL.
 */
export const automationTriggers: TableSeed = rootTable(
  'automation_triggers',
  ['id', 'name', 'event', 'conditions', 'action', 'is_enabled', 'created_by_user_id', 'created_at'],
  (ctx) => ctx.counts.triggers,
  (ctx, id) => {
    const rng = ctx.stream(S.trigger, id);
    const event = rng.pick(EVENTS);
    const conditions: Record<string, unknown> = {};
    if (rng.chance(0.5)) conditions['min_lead_score'] = 10 * rng.between(1, 8);
    if (event === 'inactivity') conditions['days_inactive'] = rng.pick([14, 30, 60, 90]);
    if (rng.chance(0.3)) conditions['tags'] = [rng.pick(TAGS)];
    if (rng.chance(0.2)) conditions['lifecycle_stage'] = rng.pick(['lead', 'prospect', 'customer']);
    return [
      id,
      `${LABELS[event]} ${id}`,
      event,
      rng.chance(0.9) ? JSON.stringify(conditions) : null,
      rng.pick(ACTIONS),
      rng.chance(0.8),
      rng.chance(0.9) ? randomUserId(ctx, rng) : null,
      formatDateTime(TIMELINE_START + rng.int(700 * MICROS_PER_DAY)),
    ];
  },
);

function runFanout(ctx: SeedContext) {
  return ctx.fanout('automation_runs', ctx.counts.contacts, (id) => ctx.stream(S.runCount, id).int(5));
}

/**
 * `automation_runs`: up to four runs of random triggers per contact; a failed run carries an error
 * message, a queued or running one no end time.
 */
export const automationRuns: TableSeed = childTable(
  'automation_runs',
  ['id', 'trigger_id', 'contact_id', 'status', 'started_at', 'finished_at', 'error_message'],
  runFanout,
  (ctx, contactId, firstId, count) => {
    const since = contactCreatedAt(ctx, contactId);
    const rows: Field[][] = [];
    for (let k = 0; k < count; k++) {
      const id = firstId + k;
      const rng = ctx.stream(S.run, id);
      const status = rng.weighted([
        ['succeeded', 80],
        ['failed', 8],
        ['running', 7],
        ['queued', 5],
      ]);
      const started = timeAfter(since, rng);
      const finished = status === 'succeeded' || status === 'failed' ? started + rng.int(120_000_000) : null;
      rows.push([
        id,
        1 + rng.int(ctx.counts.triggers),
        contactId,
        status,
        formatDateTime(started),
        finished === null ? null : formatDateTime(finished),
        status === 'failed' ? rng.pick(ERROR_MESSAGES) : null,
      ]);
    }
    return rows;
  },
);
