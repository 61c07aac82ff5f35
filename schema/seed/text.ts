/** Composes names, slugs, product names and message text from the word lists. */
import type { Rng } from './prng.js';
import {
  EMOJI,
  FIRST_NAMES,
  LAST_NAMES,
  ORG_NOUNS,
  ORG_PREFIXES,
  ORG_SUFFIXES,
  PRODUCT_ADJECTIVES,
  PRODUCT_MATERIALS,
  PRODUCT_NOUNS,
  SENTENCES,
  SUBJECTS,
} from './words.js';

const FOLD: Record<string, string> = { ø: 'o', ł: 'l', ı: 'i', ß: 'ss', æ: 'ae', đ: 'd' };
const slugCache = new Map<string, string>();

/** ASCII slug for emails and domains: "Łukasz Øvrebø" → "lukasz-ovrebo"; never empty. */
export function slug(text: string): string {
  const cached = slugCache.get(text);
  if (cached !== undefined) return cached;
  const folded = text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[øłıßæđ]/g, (c) => FOLD[c] ?? c)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const result = folded.length > 0 ? folded : 'x';
  if (slugCache.size < 10_000) slugCache.set(text, result);
  return result;
}

/** A first and last name. */
export function personName(rng: Rng): [string, string] {
  return [rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES)];
}

/** "Northwind Logistics GmbH". */
export function companyName(rng: Rng): string {
  return `${rng.pick(ORG_PREFIXES)} ${rng.pick(ORG_NOUNS)} ${rng.pick(ORG_SUFFIXES)}`;
}

/** "Ergonomic Bamboo Desk". */
export function productName(rng: Rng): string {
  return `${rng.pick(PRODUCT_ADJECTIVES)} ${rng.pick(PRODUCT_MATERIALS)} ${rng.pick(PRODUCT_NOUNS)}`;
}

/** A postal code from a pattern where `#` is a digit and `A` an uppercase letter. */
export function postalCode(rng: Rng, pattern: string): string {
  let out = '';
  for (const c of pattern) {
    if (c === '#') out += String(rng.int(10));
    else if (c === 'A') out += String.fromCharCode(65 + rng.int(26));
    else out += c;
  }
  return out;
}

/** Values for the `{placeholders}` of subjects and sentences. */
export interface TextVars {
  name: string;
  city: string;
  order: number;
}

function fill(rng: Rng, template: string, vars: TextVars): string {
  if (!template.includes('{')) return template;
  return template
    .replace('{product}', () => productName(rng))
    .replace('{order}', () => `#${vars.order}`)
    .replace('{name}', () => vars.name)
    .replace('{city}', () => vars.city);
}

/** An interaction subject. */
export function subject(rng: Rng, vars: TextVars): string {
  return fill(rng, rng.pick(SUBJECTS), vars);
}

/**
 * A message body of 1-4 sentences: now and then an emoji (4 bytes in UTF-8), an email greeting
 * and signature with newlines, or a tab-separated order line, so loaders meet every escape.
 */
export function messageBody(
  rng: Rng,
  channel: string,
  greet: string,
  sender: string,
  vars: TextVars,
): string {
  const count = rng.between(1, 4);
  let body = '';
  for (let i = 0; i < count; i++) {
    if (i > 0) body += ' ';
    body += fill(rng, rng.pick(SENTENCES), vars);
    if (rng.chance(0.05)) body += ` ${rng.pick(EMOJI)}`;
  }
  if (channel === 'email' && rng.chance(0.3)) {
    body = `Hi ${greet},\n\n${body}\n\nBest regards,\n${sender}`;
  } else if (channel === 'chat' && rng.chance(0.15)) {
    body += `\nOrder:\t#${vars.order}\tQty:\t${rng.between(1, 9)}`;
  } else if (rng.chance(0.02)) {
    body += '\r\n(path: C:\\crm\\exports\\notes.txt)';
  }
  return body;
}
