/** Staff users, organizations and contacts (the root tables of the CRM). */
import {
  contactCreatedAt,
  contactOrganizationId,
  contactOwnerId,
  contactStage,
  organizationDomain,
  organizationName,
  randomUserId,
  S,
} from './attributes.js';
import {
  formatCents,
  formatDate,
  formatDateTime,
  MICROS_PER_DAY,
  TIMELINE_END,
  TIMELINE_START,
} from './format.js';
import { rootTable, type TableSeed } from './table-seed.js';
import { personName, slug } from './text.js';
import { FREEMAIL_DOMAINS, INDUSTRIES, JOB_TITLES } from './words.js';

/** `users`: the staff; user 1 is always an admin. */
export const users: TableSeed = rootTable(
  'users',
  ['id', 'email', 'full_name', 'role', 'is_active', 'created_at'],
  (ctx) => ctx.counts.users,
  (ctx, id) => {
    const rng = ctx.stream(S.user, id);
    const [first, last] = personName(rng);
    const role =
      id === 1
        ? 'admin'
        : rng.weighted([
            ['sales', 45],
            ['support', 25],
            ['manager', 15],
            ['marketing', 10],
            ['admin', 5],
          ]);
    const created = TIMELINE_START - rng.int(730) * MICROS_PER_DAY - rng.int(MICROS_PER_DAY);
    return [
      id,
      `${slug(first)}.${slug(last)}.${id}@staff.example`,
      `${first} ${last}`,
      role,
      rng.chance(0.9),
      formatDateTime(created),
    ];
  },
);

/** `organizations`: the customer companies, created in id order across the timeline. */
export const organizations: TableSeed = rootTable(
  'organizations',
  ['id', 'name', 'domain', 'industry', 'employee_count', 'annual_revenue', 'owner_user_id', 'created_at'],
  (ctx) => ctx.counts.organizations,
  (ctx, id) => {
    const rng = ctx.stream(S.org, id);
    const employees = rng.chance(0.9) ? Math.max(1, Math.round(Math.exp(rng.next() * 9))) : null;
    const revenue = employees === null ? null : formatCents(employees * rng.between(40_000, 250_000) * 100);
    const created =
      TIMELINE_START +
      Math.floor(((id - 1) / ctx.counts.organizations) * (TIMELINE_END - TIMELINE_START) * 0.9);
    return [
      id,
      organizationName(ctx, id),
      rng.chance(0.95) ? organizationDomain(ctx, id) : null,
      rng.chance(0.9) ? rng.pick(INDUSTRIES) : null,
      employees,
      revenue,
      rng.chance(0.95) ? randomUserId(ctx, rng) : null,
      formatDateTime(created + rng.int(MICROS_PER_DAY)),
    ];
  },
);

function preferences(rng: { chance(p: number): boolean; pick<T>(items: readonly T[]): T }): string {
  const prefs: Record<string, unknown> = {
    newsletter: rng.chance(0.6),
    channel: rng.pick(['email', 'phone', 'sms', 'none']),
    language: rng.pick(['en', 'en', 'de', 'fr', 'es', 'pt', 'ja']),
  };
  if (rng.chance(0.3)) prefs['topics'] = [rng.pick(['product', 'events', 'offers']), 'updates'];
  if (rng.chance(0.1)) prefs['quiet_hours'] = { from: '22:00', to: '07:00' };
  return JSON.stringify(prefs);
}

/**
 * `contacts`: the people the CRM is about. Their organization, owner, stage and sign-up time come
 * from attributes.ts, so the child tables agree with them.
 */
export const contacts: TableSeed = rootTable(
  'contacts',
  [
    'id',
    'organization_id',
    'owner_user_id',
    'first_name',
    'last_name',
    'email',
    'phone',
    'job_title',
    'lifecycle_stage',
    'preferences',
    'marketing_opt_in',
    'lead_score',
    'birth_date',
    'created_at',
  ],
  (ctx) => ctx.counts.contacts,
  (ctx, id) => {
    const rng = ctx.stream(S.contact, id);
    const [first, last] = personName(rng);
    const org = contactOrganizationId(ctx, id);
    const domain =
      org !== null && rng.chance(0.8) ? organizationDomain(ctx, org) : rng.pick(FREEMAIL_DOMAINS);
    const phone = rng.chance(0.85)
      ? `+${rng.between(1, 99)} ${rng.between(100, 999)} ${rng.between(100, 999)} ${rng.between(1000, 9999)}`
      : null;
    const birth = rng.chance(0.6)
      ? formatDate(Date.UTC(1950 + rng.int(55), rng.int(12), 1 + rng.int(28)) * 1000)
      : null;
    return [
      id,
      org,
      contactOwnerId(ctx, id),
      first,
      last,
      `${slug(first)}.${slug(last)}${id}@${domain}`,
      phone,
      rng.chance(0.8) ? rng.pick(JOB_TITLES) : null,
      contactStage(ctx, id),
      rng.chance(0.9) ? preferences(rng) : null,
      rng.chance(0.55),
      rng.int(101),
      birth,
      formatDateTime(contactCreatedAt(ctx, id)),
    ];
  },
);
