/**
 * Attributes of users, organizations and contacts that other tables reuse (a contact's
 * organization, owner, home city, sign-up time). Each comes from its own stream, so a child row
 * can look one up without generating the whole parent row.
 */
import { MICROS_PER_DAY, TIMELINE_END, TIMELINE_START } from './format.js';
import type { SeedContext } from './plan.js';
import { saltOf } from './prng.js';
import { companyName, personName, slug } from './text.js';
import { CITIES } from './words.js';

/** Salts of the row streams and attribute streams defined here. */
export const S = {
  user: saltOf('users'),
  org: saltOf('organizations'),
  orgName: saltOf('organizations.name'),
  contact: saltOf('contacts'),
  contactOrg: saltOf('contacts.organization_id'),
  contactOwner: saltOf('contacts.owner_user_id'),
  contactCreated: saltOf('contacts.created_at'),
  contactCity: saltOf('contacts.city'),
  contactStage: saltOf('contacts.lifecycle_stage'),
};

/** A contact's `lifecycle_stage`; it decides how much the contact buys (commerce.ts). */
export type LifecycleStage = 'lead' | 'prospect' | 'customer' | 'churned';

/** A random staff user id. */
export function randomUserId(ctx: SeedContext, rng: { int(n: number): number }): number {
  return 1 + rng.int(ctx.counts.users);
}

/** A contact's first and last name: the first two draws of the contact's row stream. */
export function contactName(ctx: SeedContext, contactId: number): [string, string] {
  return personName(ctx.stream(S.contact, contactId));
}

/** A staff user's first and last name: the first two draws of the user's row stream. */
export function userName(ctx: SeedContext, userId: number): [string, string] {
  return personName(ctx.stream(S.user, userId));
}

/** The organization's name; its domain derives from it. */
export function organizationName(ctx: SeedContext, orgId: number): string {
  return companyName(ctx.stream(S.orgName, orgId));
}

/**
 * The organization's web domain: its name without the legal suffix, as a slug under `.example`, a
 * domain reserved for examples, so no real address is ever generated.
 */
export function organizationDomain(ctx: SeedContext, orgId: number): string {
  return `${slug(organizationName(ctx, orgId).replace(/ \S+$/, ''))}.example`;
}

/** 75% of contacts belong to an organization. */
export function contactOrganizationId(ctx: SeedContext, contactId: number): number | null {
  const rng = ctx.stream(S.contactOrg, contactId);
  return rng.chance(0.75) ? 1 + rng.int(ctx.counts.organizations) : null;
}

/** The staff user who owns the contact; 8% of contacts have none (NULL). */
export function contactOwnerId(ctx: SeedContext, contactId: number): number | null {
  const rng = ctx.stream(S.contactOwner, contactId);
  return rng.chance(0.92) ? randomUserId(ctx, rng) : null;
}

/** Index into CITIES of the contact's home. */
export function contactCity(ctx: SeedContext, contactId: number): number {
  return ctx.stream(S.contactCity, contactId).int(CITIES.length);
}

/** The contact's lifecycle stage: 40% leads, 25% prospects, 30% customers, 5% churned. */
export function contactStage(ctx: SeedContext, contactId: number): LifecycleStage {
  return ctx.stream(S.contactStage, contactId).weighted<LifecycleStage>([
    ['lead', 40],
    ['prospect', 25],
    ['customer', 30],
    ['churned', 5],
  ]);
}

/** Sign-up time: grows with the id (as auto-increment would) with a few days of jitter. */
export function contactCreatedAt(ctx: SeedContext, contactId: number): number {
  const span = TIMELINE_END - TIMELINE_START - 60 * MICROS_PER_DAY;
  const base = TIMELINE_START + Math.floor(((contactId - 1) / ctx.counts.contacts) * span);
  return base + ctx.stream(S.contactCreated, contactId).int(7 * MICROS_PER_DAY);
}

/** A random time between `from` and the end of the timeline. */
export function timeAfter(from: number, rng: { next(): number }): number {
  return from + Math.floor(rng.next() * Math.max(TIMELINE_END - from, 0));
}
